import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityChangeEvent, EntityName, EntityPayloads } from '@xero-sync/contracts';
import { eventsOut, runWithCorrelation, withTimeout } from '@xero-sync/observability';
import { PendingChangeRecord, PendingChangeRepository, PendingChangeState } from '@xero-sync/persistence';
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

/** Parked items remembered per store; beyond this the oldest are left to the flusher's back-off. */
const MAX_PARKED_PER_STORE = 200;
/** Wake-ups a parked item gets before it is left to the flusher's back-off. */
const MAX_WAKES = 5;

interface ParkedItem {
  entity: EntityName;
  entityId: string;
  /** Times it was tried again after a record of its store synced. */
  wakes: number;
}

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
  /** Immediately-mode items this syncer parked as waiting, by store (see retryParked). */
  private readonly parked = new Map<string, Map<string, ParkedItem>>();
  private readonly retrying = new Set<string>();

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
    // New content starts a fresh attempt count; a redelivered event continues the old one.
    const prior = existing && existing.eventId === event.eventId ? existing.attempts : 0;
    const { state } = await this.attempt(settings, item, prior);
    // After the log row (see FlushQueueUseCase): a failed queue write means a retry, never an unlogged attempt.
    await this.queue.saveLatest(queueChangeOf(event, correlationId), state);
    if (state.status === 'pending' || state.status === 'waiting')
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'queued' });
    if (state.status === 'waiting') this.park(event.storeId, item);
    else if (state.status === 'synced') await this.retryParked(event.storeId, settings);
  }

  /** Remembers an item this syncer parked as waiting (bounded: the oldest is left to the flusher). */
  private park(storeId: string, item: { entity: EntityName; entityId: string }): void {
    const parked = this.parked.get(storeId) ?? new Map<string, ParkedItem>();
    this.parked.set(storeId, parked);
    parked.delete(`${item.entity}|${item.entityId}`);
    parked.set(`${item.entity}|${item.entityId}`, { entity: item.entity, entityId: item.entityId, wakes: 0 });
    if (parked.size > MAX_PARKED_PER_STORE) parked.delete(parked.keys().next().value!);
  }

  /**
   * A record of the store reached Xero: what the store's waiting items wait for (their order, its authorising
   * change, the payment a credit memo refunds) is usually the event just delivered, so each is tried again now
   * instead of after its back-off. Still waiting stays parked without a log row; any other outcome is logged and
   * recorded unless the item changed or a flusher holds it meanwhile. Only a latency gain: the flusher retries
   * parked items anyway (and those of a syncer that died).
   */
  private async retryParked(storeId: string, settings: SyncSettings): Promise<void> {
    const parked = this.parked.get(storeId);
    if (!parked?.size || this.retrying.has(storeId)) return;
    this.retrying.add(storeId);
    try {
      // Another pass while one brought a record in: a parked memo may wait for a parked store invoice.
      for (let progressed = true; progressed && parked.size > 0;) {
        progressed = false;
        for (const [key, ref] of [...parked]) {
          const record = await this.queue.findByKey(storeId, ref.entity, ref.entityId);
          const outcome =
            record?.status === 'waiting'
              ? await runWithCorrelation(record.correlationId, () => this.retryOne(settings, ref, record))
              : 'gone';
          progressed ||= outcome === 'synced';
          // What it waits for was not among the next few records: its back-off in the flusher takes over.
          if (outcome !== 'waiting' || ++ref.wakes >= MAX_WAKES) parked.delete(key);
        }
      }
    } finally {
      this.retrying.delete(storeId);
      if (parked.size === 0) this.parked.delete(storeId);
    }
  }

  /** One parked item again: its new state ('waiting': nothing recorded, it stays parked). */
  private async retryOne(
    settings: SyncSettings,
    ref: { entity: EntityName; entityId: string },
    record: PendingChangeRecord,
  ): Promise<PendingChangeState['status']> {
    const item = {
      entity: ref.entity,
      entityId: ref.entityId,
      payload: record.payload as unknown as EntityPayloads[EntityName],
      eventId: record.eventId,
      correlationId: record.correlationId,
    };
    const { result, state } = await this.attempt(settings, item, record.attempts, { skipWaiting: true });
    if (result.status === 'waiting') return 'waiting';
    await this.queue.recordAttemptIfUnchanged(record.id, record.eventId, state, 'waiting');
    return state.status;
  }

  /**
   * Checks the store-side dependency, delivers now and logs the attempt (Immediately mode); returns the result and
   * the item's next state for the caller to record. `skipWaiting`: a still-waiting result is not logged.
   */
  private async attempt(
    settings: SyncSettings,
    item: DeliveryItem,
    priorAttempts: number,
    opts: { skipWaiting?: boolean } = {},
  ): Promise<{ result: DeliveryResult; state: PendingChangeState }> {
    const storeId = settings.storeId;
    const result = (await this.dependencies.unmet(storeId, item)) ?? (await this.deliverNow(settings, item));
    const state = nextState(result, priorAttempts, this.outcome.retryPolicy);
    if (opts.skipWaiting && result.status === 'waiting') return { result, state };
    await this.outcome.execute([
      {
        result,
        ctx: {
          storeId,
          tenantId: settings.xeroTenantId,
          mode: 'immediate',
          eventId: item.eventId,
          correlationId: item.correlationId,
          attempt: state.attempts ?? priorAttempts + 1,
          syncerId: this.owner,
        },
      },
    ]);
    return { result, state };
  }

  private async deliverNow(settings: SyncSettings, item: DeliveryItem): Promise<DeliveryResult> {
    try {
      const results = await withTimeout(
        this.delivery.deliver(settings, [item], { priority: 'interactive', timeoutMs: this.timeoutMs }),
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
