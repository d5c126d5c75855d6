import { Injectable } from '@nestjs/common';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { eventsOut } from '@xero-sync/observability';
import {
  ArrivalWait,
  IntakeOutcome,
  KeyedGroupCommit,
  NewPendingChange,
  pendingChangeId,
  PendingChangeRepository,
  SaveLatestOutcome,
} from '@xero-sync/persistence';
import { arrivalAwaitedBy, PARKED_HOLD_MAX_MS, parkedState, queueChangeOf } from './sync-policy';

/** Most events saved by one write (the consumer keeps about 10 per partition in flight). */
export const INTAKE_BATCH_MAX = 200;
/** How long the first event of a batch waits for the others the consumer is handling at the same time. */
export const INTAKE_GATHER_MS = 5;
/** Records this syncer parked a change for, remembered so that their arrival wakes it (the oldest forgotten). */
export const PARKED_REMEMBERED_MAX = 10_000;

interface IntakeItem {
  change: NewPendingChange;
  /** How long a change of this store waits parked at most (its wait horizon, capped). */
  holdMs: number;
}

/**
 * Cron Job mode: upserts the event into the queue, coalesced per (store, entity, id) so only the latest content is
 * written to Xero at the next flush; an event already held (a redelivery) or older than the content held (queue or
 * synced copy) is dropped. Events handled at the same time are saved together (group commit): the first waits
 * INTAKE_GATHER_MS for the others, one `saveLatestMany` writes them all (three MongoDB commands, not two or three
 * per event), and what arrives meanwhile forms the next batch. Resolves once the event's write is durable (then the
 * offset may be committed); a failed write rejects every event of its batch (each is retried by the consumer).
 *
 * A store invoice whose order, or a credit memo whose store invoice, the store has not sent yet (neither queued nor
 * synced, nor in the same batch) is parked: saved waiting for that record without an attempt, where an attempt
 * would only have come back waiting (a claim, a log row and a state write for nothing, most often with several
 * syncers, which consume a store's topics at different paces). When this syncer saves the awaited record, that
 * wakes it (due now, so one flush delivers the two together); otherwise the awaited record's sync wakes it.
 */
@Injectable()
export class BufferEntityChangeUseCase {
  private readonly intake = new KeyedGroupCommit<IntakeItem, IntakeOutcome>((_, items) => this.save(items), {
    maxBatch: INTAKE_BATCH_MAX,
    gatherMs: INTAKE_GATHER_MS,
  });

  /** The records this syncer parked changes for (pending-change `_id`s), oldest first. */
  private readonly awaitedHere = new Set<string>();

  constructor(private readonly queue: PendingChangeRepository) {}

  /** `waitHorizonMinutes`: the store's; a parked change is attempted after it at the latest (capped). */
  async execute(event: EntityChangeEvent, correlationId?: string, waitHorizonMinutes = 60): Promise<SaveLatestOutcome> {
    // One intake for the whole process: a write holds events of every store, as the queue is one collection.
    const outcome = await this.intake.submit('', {
      change: queueChangeOf(event, correlationId),
      holdMs: Math.min(PARKED_HOLD_MAX_MS, waitHorizonMinutes * 60_000),
    });
    eventsOut.inc({
      app: 'syncer',
      entity: event.entity,
      outcome: outcome === 'saved' || outcome === 'parked' ? 'queued' : outcome,
    });
    return outcome === 'parked' ? 'saved' : outcome;
  }

  private async save(items: IntakeItem[]): Promise<IntakeOutcome[]> {
    const now = new Date();
    const waits: (ArrivalWait | undefined)[] = items.map(({ change, holdMs }) => {
      const awaited = arrivalAwaitedBy(change);
      if (!awaited) return undefined;
      const awaitedId = pendingChangeId({ storeId: change.storeId, ...awaited });
      return { awaitedId, parked: parkedState(awaited.label, awaitedId, holdMs, now) };
    });
    const outcomes = await this.queue.saveLatestMany(
      items.map((i) => i.change),
      { status: 'pending', nextAttemptAt: new Date(0) },
      waits,
    );
    const parked = items.flatMap(({ change }, i) =>
      outcomes[i] === 'parked'
        ? [{ storeId: change.storeId, waiterId: pendingChangeId(change), awaitedId: waits[i]!.awaitedId }]
        : [],
    );
    if (parked.length > 0) await this.noteParked(parked);
    // Records changes were parked for, arrived now: their waiters are due with them.
    const arrived = items.flatMap(({ change }, i) => {
      const id = pendingChangeId(change);
      return outcomes[i] === 'saved' && this.awaitedHere.delete(id) ? [id] : [];
    });
    if (arrived.length > 0) await this.queue.wakeWaitersOf(arrived);
    return outcomes;
  }

  /**
   * Notes what each parked change waits for, so that record's sync wakes it; then wakes those whose record reached
   * Xero while they were being saved (its sync found no note yet).
   */
  private async noteParked(parked: { storeId: string; waiterId: string; awaitedId: string }[]): Promise<void> {
    await this.queue.noteWaitersOfStores(parked);
    const awaited = [...new Set(parked.map((p) => p.awaitedId))];
    for (const id of awaited) {
      this.awaitedHere.delete(id);
      this.awaitedHere.add(id);
    }
    while (this.awaitedHere.size > PARKED_REMEMBERED_MAX)
      this.awaitedHere.delete(this.awaitedHere.values().next().value!);
    const synced = await this.queue.syncedOf(awaited);
    if (synced.length > 0) await this.queue.wakeWaitersOf(synced);
  }
}
