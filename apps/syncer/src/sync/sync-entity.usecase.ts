import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { eventsOut, withTimeout } from '@xero-sync/observability';
import { PendingChangeRecord, PendingChangeRepository } from '@xero-sync/persistence';
import {
  DeliveryItem,
  DeliveryResult,
  SyncSettings,
  XERO_DELIVERY,
  XeroDelivery,
} from '../delivery/xero-delivery.port';
import { RecordSyncOutcomeUseCase } from './record-sync-outcome.usecase';
import { StoreDependencyQueries } from './store-dependency.queries';
import { deliveryBackstopMs, nextState, queueChangeOf, thrownResult } from './sync-policy';

/**
 * Immediately mode: delivers one event to Xero now (interactive priority). Whatever happens, the event ends
 * durably recorded before the offset may be committed: synced (the content is kept for per-record Sync Now),
 * or queued (deferred by budget/breaker/connection, retryable failure, waiting on a dependency) for the
 * flusher, or failed (permanent, visible for Sync Now after a fix).
 */
@Injectable()
export class SyncEntityUseCase {
  private readonly logger = new Logger(SyncEntityUseCase.name);
  private readonly owner: string;
  private readonly timeoutMs: number;

  constructor(
    @Inject(XERO_DELIVERY) private readonly delivery: XeroDelivery,
    private readonly queue: PendingChangeRepository,
    private readonly outcome: RecordSyncOutcomeUseCase,
    private readonly dependencies: StoreDependencyQueries,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.owner = config.SYNCER_INSTANCE_ID ?? 'syncer';
    this.timeoutMs = config.SYNCER_DELIVERY_TIMEOUT_MS;
  }

  async execute(
    event: EntityChangeEvent,
    settings: SyncSettings,
    existing: PendingChangeRecord | null,
    correlationId?: string,
  ): Promise<void> {
    const item = {
      entity: event.entity,
      entityId: event.entityId,
      payload: event.payload,
      eventId: event.eventId,
      correlationId,
    };
    const result = (await this.dependencies.unmet(event.storeId, item)) ?? (await this.deliverNow(event.storeId, item));
    // New content starts a fresh attempt count; a redelivered event continues the old one.
    const prior = existing && existing.eventId === event.eventId ? existing.attempts : 0;
    const state = nextState(result, prior, this.outcome.retryPolicy);
    await this.outcome.execute([
      {
        result,
        ctx: {
          storeId: event.storeId,
          tenantId: settings.xeroTenantId,
          mode: 'immediate',
          eventId: event.eventId,
          correlationId,
          attempt: state.attempts ?? prior + 1,
          syncerId: this.owner,
        },
      },
    ]);
    // After the log row (see FlushQueueUseCase): a failed queue write means a retry, never an unlogged attempt.
    await this.queue.saveLatest(queueChangeOf(event, correlationId), state);
    if (state.status === 'pending' || state.status === 'waiting')
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'queued' });
  }

  private async deliverNow(storeId: string, item: DeliveryItem): Promise<DeliveryResult> {
    try {
      const results = await withTimeout(
        this.delivery.deliver(storeId, [item], { priority: 'interactive', timeoutMs: this.timeoutMs }),
        deliveryBackstopMs(this.timeoutMs),
        `no answer from Xero delivery within ${deliveryBackstopMs(this.timeoutMs)} ms`,
      );
      return (
        results.find((r) => r.entity === item.entity && r.entityId === item.entityId) ??
        thrownResult(item, 'no result returned')
      );
    } catch (err) {
      this.logger.warn(`immediate delivery of ${item.entity} ${item.entityId} threw; queueing it: ${String(err)}`);
      return thrownResult(item, err);
    }
  }
}
