import { Injectable } from '@nestjs/common';
import { EntityChangeEvent, EntityName } from '@xero-sync/contracts';
import { eventsOut } from '@xero-sync/observability';
import { PendingChangeRecord, PendingChangeRepository, StoreSettings } from '@xero-sync/persistence';
import { attemptItemOf, DeliverAndRecordUseCase } from './deliver-and-record.usecase';
import { queueChangeOf } from './sync-policy';

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

/** An Immediately-mode event to deliver and what the queue held of its record when it arrived. */
export interface ImmediateEvent {
  event: EntityChangeEvent;
  existing: PendingChangeRecord | null;
  correlationId?: string;
}

/**
 * Immediately mode: delivers events of one store to Xero now, together (one delivery: one claim of their records,
 * batched Xero calls, one log write), at interactive priority (a backfill's events at backfill priority: the caller
 * does not mix the two). Whatever happens, each event ends durably recorded before its offset may be committed:
 * synced (the content is kept for per-record Sync Now), or queued (deferred by budget/breaker/connection, retryable
 * failure, waiting on a dependency) for the flusher, or failed (permanent, visible for Sync Now after a fix).
 */
@Injectable()
export class SyncEntityUseCase {
  /** Immediately-mode items this syncer parked as waiting, by store (see retryParked). */
  private readonly parked = new Map<string, Map<string, ParkedItem>>();
  private readonly retrying = new Set<string>();

  constructor(
    private readonly deliverAndRecord: DeliverAndRecordUseCase,
    private readonly queue: PendingChangeRepository,
  ) {}

  async execute(events: ImmediateEvent[], settings: StoreSettings): Promise<void> {
    if (events.length === 0) return;
    const items = events.map(({ event, existing, correlationId }) => ({
      entity: event.entity,
      entityId: event.entityId,
      payload: event.payload,
      eventId: event.eventId,
      correlationId,
      // New content starts a fresh attempt count; a redelivered event continues the old one.
      priorAttempts: existing && existing.eventId === event.eventId ? existing.attempts : 0,
    }));
    const outcomes = await this.deliverAndRecord.execute({
      settings,
      mode: 'immediate',
      priority: events[0].event.origin === 'backfill' ? 'backfill' : undefined,
      items,
      write: { kind: 'latest', changes: events.map((e) => queueChangeOf(e.event, e.correlationId)) },
    });
    for (const { item, state } of outcomes) {
      if (state.status === 'pending' || state.status === 'waiting')
        eventsOut.inc({ app: 'syncer', entity: item.entity, outcome: 'queued' });
      if (state.status === 'waiting') this.park(settings.storeId, item);
    }
    if (outcomes.some((o) => o.state.status === 'synced')) await this.retryParked(settings.storeId, settings);
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
   * change, the payment a credit memo refunds) is usually among the events just delivered, so the parked items are
   * tried again now, together (one read, one delivery), instead of after their back-off. Still waiting stays parked
   * without a log row; any other outcome is logged and recorded unless the item changed or a flusher holds it
   * meanwhile. Only a latency gain: the flusher retries parked items anyway (and those of a syncer that died).
   */
  private async retryParked(storeId: string, settings: StoreSettings): Promise<void> {
    const parked = this.parked.get(storeId);
    if (!parked?.size || this.retrying.has(storeId)) return;
    this.retrying.add(storeId);
    try {
      // Another pass while one brought a record in: a parked memo may wait for a parked store invoice.
      for (let progressed = true; progressed && parked.size > 0;) {
        progressed = false;
        const waiting = new Map<string, PendingChangeRecord>();
        for (const record of await this.queue.findByKeys(storeId, [...parked.values()]))
          if (record.status === 'waiting') waiting.set(`${record.entity}|${record.entityId}`, record);
        // Gone from the queue's waiting items (synced, changed, failed or claimed by a flusher): nothing to wake.
        for (const key of [...parked.keys()]) if (!waiting.has(key)) parked.delete(key);
        if (waiting.size === 0) break;
        const outcomes = await this.deliverAndRecord.execute({
          settings,
          mode: 'immediate',
          items: [...waiting.values()].map((record) => attemptItemOf(record)),
          write: { kind: 'if-unchanged', fromStatus: 'waiting' },
          quietWhileWaiting: true,
        });
        for (const { item, result, state } of outcomes) {
          const key = `${item.entity}|${item.entityId}`;
          const status = result.status === 'waiting' ? 'waiting' : state.status;
          progressed ||= status === 'synced';
          // What it waits for was not among the next few records: its back-off in the flusher takes over.
          const ref = parked.get(key);
          if (status !== 'waiting' || (ref && ++ref.wakes >= MAX_WAKES)) parked.delete(key);
        }
      }
    } finally {
      this.retrying.delete(storeId);
      if (parked.size === 0) this.parked.delete(storeId);
    }
  }
}
