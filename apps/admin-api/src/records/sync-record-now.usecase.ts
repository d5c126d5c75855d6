import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityChangeEvent, entityIdOf, EntityName, parseEntityChangeEvent } from '@xero-sync/contracts';
import { PendingChangeRepository, StoreRepository } from '@xero-sync/persistence';
import { PublishCommandUseCase } from '../commands/publish-command.usecase';
import { AdminError } from '../http/admin.errors';
import { fetchMagentoRecord, MagentoStoreError } from '../reconciliation/magento-store.client';
import { StoreExistsQueries } from '../stores/store-exists.queries';

export interface SyncRecordNowRequest {
  storeId: string;
  entity: EntityName;
  entityId: string;
}

/** What Sync Now sent: the record's content the pipeline holds, or a copy just read from the store. */
export interface SyncRecordNowAccepted {
  accepted: true;
  commandId: string;
  type: string;
  storeId: string;
  source: 'pipeline' | 'store';
  message: string;
}

/**
 * Per-record Sync Now (log, queue and record page alike). The syncer sends the latest content the pipeline holds
 * for the record; a record it never received is read from the store's Magento REST API (pull-connected stores)
 * and travels with the command as the same event a webhook would carry (origin `manual`). A webhook-only store
 * cannot be asked, so that case is refused with what the merchant must do instead of a command that can only
 * log "unknown".
 */
@Injectable()
export class SyncRecordNowUseCase {
  constructor(
    private readonly stores: StoreExistsQueries,
    private readonly storeRecords: StoreRepository,
    private readonly queue: PendingChangeRepository,
    private readonly commands: PublishCommandUseCase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(req: SyncRecordNowRequest, actor: string): Promise<SyncRecordNowAccepted> {
    await this.stores.require(req.storeId);
    const what = `${req.entity} ${req.entityId}`;
    const held = await this.queue.findByKey(req.storeId, req.entity, req.entityId);
    const event = held ? undefined : await this.fetchFromStore(req, what);
    const command = await this.commands.execute({ type: 'sync.record', ...req, event }, actor);
    return {
      accepted: true,
      commandId: command.commandId,
      type: command.type,
      storeId: command.storeId,
      source: event ? 'store' : 'pipeline',
      message: event ? `Sync Now sent for ${what} (read from the store)` : `Sync Now sent for ${what}`,
    };
  }

  private async fetchFromStore(req: SyncRecordNowRequest, what: string): Promise<EntityChangeEvent> {
    const credentials = await this.storeRecords.magentoCredentialsOf(req.storeId);
    if (!credentials)
      throw new AdminError(
        'UNPROCESSABLE',
        `${what} never reached the pipeline and store ${req.storeId} is webhook-only (no Magento REST credentials): ` +
          'the store must send it (save it in the store again), or add the store’s Magento URL and token so Sync ' +
          'Now can read it',
        [{ field: 'entityId', reason: 'no copy in the pipeline and the store cannot be read' }],
      );
    let payload: Record<string, unknown> | undefined;
    try {
      payload = await fetchMagentoRecord(credentials, req.entity, req.entityId, {
        allowHttp: this.config.OUTBOUND_ALLOW_HTTP,
        allowPrivate: this.config.OUTBOUND_ALLOW_PRIVATE,
      });
    } catch (err) {
      if (!(err instanceof MagentoStoreError)) throw err;
      throw new AdminError('STORE_UNAVAILABLE', err.message, [
        { field: 'magento', reason: `${err.status ? `HTTP ${err.status}: ` : ''}${err.reason}` },
      ]);
    }
    if (!payload) throw new AdminError('NOT_FOUND', `the store has no ${what} (its Magento REST API answered 404)`);
    const parsed = parseEntityChangeEvent({
      eventId: randomUUID(),
      entity: req.entity,
      storeId: req.storeId,
      entityId: req.entityId,
      occurredAt: new Date().toISOString(),
      origin: 'manual',
      schemaVersion: 1,
      payload,
    });
    if (!parsed.ok)
      throw new AdminError(
        'UNPROCESSABLE',
        `the store's ${what} is not a valid Magento ${req.entity}`,
        parsed.errors.map((e) => ({ field: e.path, reason: e.message })),
      );
    const id = entityIdOf(req.entity, parsed.value.payload);
    if (id !== req.entityId)
      throw new AdminError('STORE_UNAVAILABLE', `the store answered ${req.entity} ${id} when asked for ${what}`);
    return parsed.value;
  }
}
