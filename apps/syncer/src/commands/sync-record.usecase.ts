import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityChangeEvent, EntityName } from '@xero-sync/contracts';
import { PendingChangeRepository, SyncLogRepository } from '@xero-sync/persistence';
import { DeliveryResult } from '@xero-sync/xero';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { attemptItemOf, AttemptItem, DeliverAndRecordUseCase, QueueWrite } from '../sync/deliver-and-record.usecase';
import { queueChangeOf, unknownRecordEntry } from '../sync/sync-policy';

/**
 * Per-record "Sync Now": delivers the latest content the syncer holds for the record (queued, failed or last
 * synced) right away at interactive priority, like an Immediately-mode event (its store-side prerequisite first,
 * the same delivery backstop). Unchanged content costs no Xero call. A record the syncer has never seen is
 * delivered from the copy admin-api fetched from the store's REST API (`fetched`), which then becomes the
 * record's latest content; without one it is logged as unknown: there is nothing to send until the store sends it.
 */
@Injectable()
export class SyncRecordUseCase {
  private readonly logger = new Logger(SyncRecordUseCase.name);
  private readonly owner: string;

  constructor(
    private readonly deliverAndRecord: DeliverAndRecordUseCase,
    private readonly queue: PendingChangeRepository,
    private readonly syncLog: SyncLogRepository,
    private readonly settings: SyncSettingsCache,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.owner = config.SYNCER_INSTANCE_ID;
  }

  async execute(
    storeId: string,
    entity: EntityName,
    entityId: string,
    correlationId?: string,
    fetched?: EntityChangeEvent,
  ): Promise<DeliveryResult | null> {
    const settings = await this.settings.get(storeId, { fresh: true });
    const record = await this.queue.findByKey(storeId, entity, entityId);
    let item: AttemptItem;
    let write: QueueWrite;
    if (record) {
      // A synced record's content is sent again on purpose: a fresh attempt count, not a continuation.
      const priorAttempts = record.status === 'synced' ? 0 : record.attempts;
      item = attemptItemOf(record, { priorAttempts, correlationId: correlationId ?? record.correlationId });
      write = { kind: 'if-unchanged' };
    } else if (fetched && matches(fetched, storeId, entity, entityId)) {
      item = { ...fetched, correlationId, priorAttempts: 0 };
      write = { kind: 'latest', changes: [queueChangeOf(fetched, correlationId)] };
    } else {
      if (fetched) this.logger.warn(`sync.record for ${entity} ${entityId} carried another record; ignored`);
      const ctx = { storeId, tenantId: settings.xeroTenantId, mode: 'manual' as const, correlationId, attempt: 1 };
      await this.syncLog.append([unknownRecordEntry({ entity, entityId }, { ...ctx, syncerId: this.owner })]);
      return null;
    }
    const [{ result }] = await this.deliverAndRecord.execute({ settings, mode: 'manual', items: [item], write });
    return result;
  }
}

function matches(event: EntityChangeEvent, storeId: string, entity: EntityName, entityId: string): boolean {
  return event.storeId === storeId && event.entity === entity && event.entityId === entityId;
}
