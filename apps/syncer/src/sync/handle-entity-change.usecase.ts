import { Injectable } from '@nestjs/common';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { eventsOut } from '@xero-sync/observability';
import { PendingChangeRecord, PendingChangeRepository, StoreSettings } from '@xero-sync/persistence';
import { DeliveryStatus } from '@xero-sync/xero';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { BufferEntityChangeUseCase } from './buffer-entity-change.usecase';
import { DeliverAndRecordUseCase } from './deliver-and-record.usecase';
import { KeyedLimiter } from './keyed-limiter';
import { SyncEntityUseCase } from './sync-entity.usecase';
import { queueChangeOf } from './sync-policy';

/**
 * Immediately (and replayed) events of one store and entity type delivered at once. An event spends most of its
 * time in MongoDB work around its one Xero call, so 10 at once keep the org's calls coming; the fleet budget still
 * holds Xero's 5 in flight.
 */
export const DELIVERIES_IN_FLIGHT_PER_STORE_ENTITY = 10;

/** What became of an event; a replayed one that was attempted answers its delivery status. */
export type EntityChangeOutcome = 'disabled' | 'duplicate' | 'stale' | 'queued' | 'delivered' | DeliveryStatus;

/**
 * Routes a valid event by its store's settings: entity types the store does not sync are skipped; an event
 * already handled (redelivery after a crash or rebalance) or older than the content already held is dropped;
 * Immediately mode delivers now, Cron Job mode queues. A replayed event (origin `replay`) is attempted again even
 * when it is the content already held, in either mode, at backfill priority; the delivery guarantees (business keys,
 * content hashes) make that cost no Xero write unless the content or its mapping changed.
 */
@Injectable()
export class HandleEntityChangeUseCase {
  private readonly deliveringNow = new KeyedLimiter(DELIVERIES_IN_FLIGHT_PER_STORE_ENTITY);

  constructor(
    private readonly settings: SyncSettingsCache,
    private readonly queue: PendingChangeRepository,
    private readonly syncNow: SyncEntityUseCase,
    private readonly buffer: BufferEntityChangeUseCase,
    private readonly deliverAndRecord: DeliverAndRecordUseCase,
  ) {}

  async execute(event: EntityChangeEvent, correlationId?: string): Promise<EntityChangeOutcome> {
    const settings = await this.settings.get(event.storeId);
    if (!settings.entitiesEnabled.includes(event.entity)) {
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'disabled' });
      return 'disabled';
    }
    if (settings.mode === 'cron' && event.origin !== 'replay') {
      // The intake tells redeliveries and older content apart itself, for many events in one read.
      const saved = await this.buffer.execute(event, correlationId);
      return saved === 'saved' ? 'queued' : saved;
    }
    // Delivered now: as many at once per store and entity type as the consumer used to keep in flight per
    // partition (a store's events of one type share one partition), while Cron Job events are taken many at once.
    return this.deliveringNow.run(`${event.storeId}|${event.entity}`, () =>
      this.deliverNow(event, settings, correlationId),
    );
  }

  private async deliverNow(
    event: EntityChangeEvent,
    settings: StoreSettings,
    correlationId?: string,
  ): Promise<EntityChangeOutcome> {
    const existing = await this.queue.findByKey(event.storeId, event.entity, event.entityId);
    if (event.origin === 'replay') return this.replay(event, settings, existing, correlationId);
    if (existing && existing.eventId === event.eventId) {
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'duplicate' });
      return 'duplicate';
    }
    if (existing && existing.occurredAt.getTime() > new Date(event.occurredAt).getTime()) {
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'stale' });
      return 'stale';
    }
    await this.syncNow.execute(event, settings, existing, correlationId);
    return 'delivered';
  }

  /**
   * A replayed event: superseded content (the queue holds a newer change of the record) is skipped, so a replay
   * never takes Xero back to an older version; the held content itself is attempted again and its state recorded
   * unless it changes meanwhile; content the queue never held (or lost) is attempted and kept like a new event.
   */
  private async replay(
    event: EntityChangeEvent,
    settings: StoreSettings,
    existing: PendingChangeRecord | null,
    correlationId?: string,
  ): Promise<EntityChangeOutcome> {
    const held = existing?.eventId === event.eventId ? existing : null;
    if (existing && !held && existing.occurredAt.getTime() >= new Date(event.occurredAt).getTime()) {
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'stale' });
      return 'stale';
    }
    const [{ result }] = await this.deliverAndRecord.execute({
      settings,
      mode: 'replay',
      items: [
        {
          entity: event.entity,
          entityId: event.entityId,
          payload: event.payload,
          eventId: event.eventId,
          correlationId,
          priorAttempts: held && held.status !== 'synced' ? held.attempts : 0,
          waitingSince: held?.status === 'waiting' ? held.waitingSince : undefined,
        },
      ],
      write: held ? { kind: 'if-unchanged' } : { kind: 'latest', change: queueChangeOf(event, correlationId) },
    });
    return result.status;
  }
}
