import { Injectable } from '@nestjs/common';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { eventsOut } from '@xero-sync/observability';
import { PendingChangeRepository, SaveLatestOutcome } from '@xero-sync/persistence';
import { queueChangeOf } from './sync-policy';

/**
 * Cron Job mode: upserts the event into the queue, coalesced per (store, entity, id) so only the latest
 * content is written to Xero at the next flush. Resolves once the write is durable (then the offset may be
 * committed).
 */
@Injectable()
export class BufferEntityChangeUseCase {
  constructor(private readonly queue: PendingChangeRepository) {}

  async execute(event: EntityChangeEvent, correlationId?: string): Promise<SaveLatestOutcome> {
    const outcome = await this.queue.saveLatest(queueChangeOf(event, correlationId), {
      status: 'pending',
      nextAttemptAt: new Date(0),
    });
    eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: outcome === 'saved' ? 'queued' : outcome });
    return outcome;
  }
}
