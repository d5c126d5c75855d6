import { Injectable } from '@nestjs/common';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { eventsOut } from '@xero-sync/observability';
import { NewPendingChange, PendingChangeRepository, SaveLatestOutcome } from '@xero-sync/persistence';
import { queueChangeOf } from './sync-policy';

/** Most events saved by one write (the consumer keeps about 10 per partition in flight). */
export const INTAKE_BATCH_MAX = 200;
/** How long the first event of a batch waits for the others the consumer is handling at the same time. */
export const INTAKE_GATHER_MS = 5;

interface Waiting {
  change: NewPendingChange;
  resolve(outcome: SaveLatestOutcome): void;
  reject(err: unknown): void;
}

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
  private waiting: Waiting[] = [];
  private writing = false;
  private gathering?: NodeJS.Timeout;

  constructor(private readonly queue: PendingChangeRepository) {}

  async execute(event: EntityChangeEvent, correlationId?: string): Promise<SaveLatestOutcome> {
    const outcome = await new Promise<SaveLatestOutcome>((resolve, reject) => {
      this.waiting.push({ change: queueChangeOf(event, correlationId), resolve, reject });
      this.schedule();
    });
    eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: outcome === 'saved' ? 'queued' : outcome });
    return outcome;
  }

  private schedule(): void {
    if (this.writing) return;
    if (this.waiting.length >= INTAKE_BATCH_MAX) {
      clearTimeout(this.gathering);
      this.gathering = undefined;
      void this.drain();
    } else if (!this.gathering) {
      this.gathering = setTimeout(() => {
        this.gathering = undefined;
        void this.drain();
      }, INTAKE_GATHER_MS);
    }
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, INTAKE_BATCH_MAX);
        try {
          const outcomes = await this.queue.saveLatestMany(
            batch.map((w) => w.change),
            { status: 'pending', nextAttemptAt: new Date(0) },
          );
          batch.forEach((w, i) => w.resolve(outcomes[i]));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
