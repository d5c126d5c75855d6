import { Injectable } from '@nestjs/common';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { eventsOut } from '@xero-sync/observability';
import { KeyedGroupCommit, NewPendingChange, PendingChangeRepository, SaveLatestOutcome } from '@xero-sync/persistence';
import { queueChangeOf } from './sync-policy';

/** Most events saved by one write (the consumer keeps about 10 per partition in flight). */
export const INTAKE_BATCH_MAX = 200;
/** How long the first event of a batch waits for the others the consumer is handling at the same time. */
export const INTAKE_GATHER_MS = 5;

/**
 * Cron Job mode: upserts the event into the queue, coalesced per (store, entity, id) so only the latest content is
 * written to Xero at the next flush; an event already held (a redelivery) or older than the content held (queue or
 * synced copy) is dropped. Events handled at the same time are saved together (group commit): the first waits
 * INTAKE_GATHER_MS for the others, one `saveLatestMany` writes them all (three MongoDB commands, not two or three
 * per event), and what arrives meanwhile forms the next batch. Resolves once the event's write is durable (then the
 * offset may be committed); a failed write rejects every event of its batch (each is retried by the consumer).
 */
@Injectable()
export class BufferEntityChangeUseCase {
  private readonly intake = new KeyedGroupCommit<NewPendingChange, SaveLatestOutcome>(
    (_, changes) => this.queue.saveLatestMany(changes, { status: 'pending', nextAttemptAt: new Date(0) }),
    { maxBatch: INTAKE_BATCH_MAX, gatherMs: INTAKE_GATHER_MS },
  );

  constructor(private readonly queue: PendingChangeRepository) {}

  async execute(event: EntityChangeEvent, correlationId?: string): Promise<SaveLatestOutcome> {
    // One intake for the whole process: a write holds events of every store, as the queue is one collection.
    const outcome = await this.intake.submit('', queueChangeOf(event, correlationId));
    eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: outcome === 'saved' ? 'queued' : outcome });
    return outcome;
  }
}
