import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityName } from '@xero-sync/contracts';
import { PendingChangeRepository, SyncLogRepository } from '@xero-sync/persistence';
import { DeliveryResult } from '@xero-sync/xero';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { attemptItemOf, DeliverAndRecordUseCase } from '../sync/deliver-and-record.usecase';
import { unknownRecordEntry } from '../sync/sync-policy';

/**
 * Per-record "Sync Now": delivers the latest content the syncer holds for the record (queued, failed or last
 * synced) right away at interactive priority, like an Immediately-mode event (its store-side prerequisite first,
 * the same delivery backstop). Unchanged content costs no Xero call. A record the syncer has never seen is logged
 * as such: there is nothing to send until the store sends it.
 */
@Injectable()
export class SyncRecordUseCase {
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
  ): Promise<DeliveryResult | null> {
    const settings = await this.settings.get(storeId, { fresh: true });
    const record = await this.queue.findByKey(storeId, entity, entityId);
    if (!record) {
      const ctx = { storeId, tenantId: settings.xeroTenantId, mode: 'manual' as const, correlationId, attempt: 1 };
      await this.syncLog.append([unknownRecordEntry({ entity, entityId }, { ...ctx, syncerId: this.owner })]);
      return null;
    }
    const [{ result }] = await this.deliverAndRecord.execute({
      settings,
      mode: 'manual',
      // A synced record's content is sent again on purpose: a fresh attempt count, not a continuation.
      items: [
        attemptItemOf(record, {
          priorAttempts: record.status === 'synced' ? 0 : record.attempts,
          correlationId: correlationId ?? record.correlationId,
        }),
      ],
      write: { kind: 'if-unchanged' },
    });
    return result;
  }
}
