import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityName, EntityPayloads } from '@xero-sync/contracts';
import { PendingChangeRepository, SyncLogRepository } from '@xero-sync/persistence';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { DeliveryResult, XERO_DELIVERY, XeroDelivery } from '../delivery/xero-delivery.port';
import { RecordSyncOutcomeUseCase } from '../sync/record-sync-outcome.usecase';
import { nextState, thrownResult } from '../sync/sync-policy';

/**
 * Per-record "Sync Now": delivers the latest content the syncer holds for the record (queued, failed or last
 * synced) right away at interactive priority. Unchanged content costs no Xero call. A record the syncer has
 * never seen is logged as such: there is nothing to send until the store sends it.
 */
@Injectable()
export class SyncRecordUseCase {
  private readonly owner: string;
  private readonly timeoutMs: number;

  constructor(
    @Inject(XERO_DELIVERY) private readonly delivery: XeroDelivery,
    private readonly queue: PendingChangeRepository,
    private readonly syncLog: SyncLogRepository,
    private readonly settings: SyncSettingsCache,
    private readonly outcome: RecordSyncOutcomeUseCase,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.owner = config.SYNCER_INSTANCE_ID ?? 'syncer';
    this.timeoutMs = config.SYNCER_DELIVERY_TIMEOUT_MS;
  }

  async execute(
    storeId: string,
    entity: EntityName,
    entityId: string,
    correlationId?: string,
  ): Promise<DeliveryResult | null> {
    const settings = await this.settings.get(storeId);
    const item = await this.queue.findByKey(storeId, entity, entityId);
    if (!item) {
      await this.syncLog.append([
        {
          storeId,
          tenantId: settings.xeroTenantId,
          entity,
          entityId,
          action: 'none',
          status: 'error',
          message:
            'No content known for this record yet; it syncs when the store sends it (or use Add All Data To Queue).',
          errorCode: 'NOT_FOUND',
          durationMs: 0,
          calls: 0,
          mode: 'manual',
          correlationId,
          attempt: 1,
          syncerId: this.owner,
        },
      ]);
      return null;
    }
    const deliveryItem = {
      entity,
      entityId,
      payload: item.payload as unknown as EntityPayloads[EntityName],
      eventId: item.eventId,
      correlationId: correlationId ?? item.correlationId,
    };
    let result: DeliveryResult;
    try {
      const results = await this.delivery.deliver(settings, [deliveryItem], {
        priority: 'interactive',
        timeoutMs: this.timeoutMs,
      });
      result =
        results.find((r) => r.entity === entity && r.entityId === entityId) ??
        thrownResult(deliveryItem, 'no result returned');
    } catch (err) {
      result = thrownResult(deliveryItem, err);
    }
    const prior = item.status === 'synced' ? 0 : item.attempts;
    const state = nextState(result, prior, this.outcome.retryPolicy);
    await this.outcome.execute([
      {
        result,
        ctx: {
          storeId,
          tenantId: settings.xeroTenantId,
          mode: 'manual',
          eventId: item.eventId,
          correlationId: deliveryItem.correlationId,
          attempt: state.attempts ?? prior + 1,
          syncerId: this.owner,
        },
      },
    ]);
    await this.queue.recordAttemptIfUnchanged(item.id, item.eventId, state);
    return result;
  }
}
