import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { eventsOut } from '@xero-sync/observability';
import {
  KeyedGroupCommit,
  pendingChangeId,
  PendingChangeRecord,
  PendingChangeRepository,
  StoreSettings,
} from '@xero-sync/persistence';
import { DeliveryStatus } from '@xero-sync/xero';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { BufferEntityChangeUseCase } from './buffer-entity-change.usecase';
import { DeliverAndRecordUseCase } from './deliver-and-record.usecase';
import { KeyedLimiter } from './keyed-limiter';
import { ImmediateEvent, SyncEntityUseCase } from './sync-entity.usecase';
import { queueChangeOf } from './sync-policy';

/**
 * Replayed events of one store and entity type delivered at once (each is its own delivery: it is compared with
 * the content held one by one).
 */
export const REPLAYS_IN_FLIGHT_PER_STORE_ENTITY = 10;

/** What became of an event; a replayed one that was attempted answers its delivery status. */
export type EntityChangeOutcome = 'disabled' | 'duplicate' | 'stale' | 'queued' | 'delivered' | DeliveryStatus;

interface ArrivedEvent {
  event: EntityChangeEvent;
  settings: StoreSettings;
  correlationId?: string;
}

/**
 * Routes a valid event by its store's settings: entity types the store does not sync are skipped; an event
 * already handled (redelivery after a crash or rebalance) or older than the content already held is dropped;
 * Immediately mode delivers now, Cron Job mode queues. A replayed event (origin `replay`) is attempted again even
 * when it is the content already held, in either mode, at backfill priority; the delivery guarantees (business keys,
 * content hashes) make that cost no Xero write unless the content or its mapping changed.
 */
@Injectable()
export class HandleEntityChangeUseCase {
  private readonly replaying = new KeyedLimiter(REPLAYS_IN_FLIGHT_PER_STORE_ENTITY);
  /**
   * Immediately-mode events by store and priority (a backfill's events never hold up the store's own). While full
   * batches wait, SYNCER_IMMEDIATE_DELIVERIES_PER_STORE (4) deliveries of a lane run at once: a delivery's stages call
   * Xero one after another, and one at a time left a quarter of the org's minutes unused under a backfill.
   */
  private readonly deliveringNow: KeyedGroupCommit<ArrivedEvent, EntityChangeOutcome>;

  constructor(
    private readonly settings: SyncSettingsCache,
    private readonly queue: PendingChangeRepository,
    private readonly syncNow: SyncEntityUseCase,
    private readonly buffer: BufferEntityChangeUseCase,
    private readonly deliverAndRecord: DeliverAndRecordUseCase,
    @Inject(APP_CONFIG)
    config: Pick<AppConfig, 'SYNCER_IMMEDIATE_BATCH_MAX' | 'SYNCER_IMMEDIATE_DELIVERIES_PER_STORE'>,
  ) {
    this.deliveringNow = new KeyedGroupCommit((_, events) => this.deliverNow(events), {
      maxBatch: config.SYNCER_IMMEDIATE_BATCH_MAX,
      gatherMs: 0,
      concurrency: config.SYNCER_IMMEDIATE_DELIVERIES_PER_STORE,
    });
  }

  async execute(event: EntityChangeEvent, correlationId?: string): Promise<EntityChangeOutcome> {
    const settings = await this.settings.get(event.storeId);
    if (!settings.entitiesEnabled.includes(event.entity)) {
      eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: 'disabled' });
      return 'disabled';
    }
    if (event.origin === 'replay') {
      return this.replaying.run(`${event.storeId}|${event.entity}`, async () => {
        const existing = await this.queue.findByKey(event.storeId, event.entity, event.entityId);
        return this.replay(event, settings, existing, correlationId);
      });
    }
    if (settings.mode === 'cron') {
      // The intake tells redeliveries and older content apart itself, for many events in one read.
      const saved = await this.buffer.execute(event, correlationId, settings.waitHorizonMinutes);
      return saved === 'saved' ? 'queued' : saved;
    }
    const lane = event.origin === 'backfill' ? 'backfill' : 'interactive';
    return this.deliveringNow.submit(`${event.storeId}|${lane}`, { event, settings, correlationId });
  }

  /**
   * Events of one store delivered together: the records' held contents in one read, redeliveries and older content
   * dropped, the rest in one delivery (one per record: the consumer hands a record's events over one after another,
   * so two of one record meet only when one is redelivered).
   */
  private async deliverNow(arrived: ArrivedEvent[]): Promise<EntityChangeOutcome[]> {
    // The settings read last are the freshest.
    const settings = arrived[arrived.length - 1].settings;
    const held = new Map<string, PendingChangeRecord>();
    // The queue's open item comes before the record's synced copy, as in findByKey.
    for (const record of await this.queue.findByKeys(
      settings.storeId,
      arrived.map(({ event }) => event),
    ))
      if (!held.has(record.id)) held.set(record.id, record);
    // One delivery per record: should two events of one record meet here (a redelivery beside its successor), the
    // newer content goes (equal times: the later arrival, as partitions are ordered) and the other is dropped.
    const chosen = new Map<string, number>();
    const outcomes: EntityChangeOutcome[] = [];
    for (const [i, { event }] of arrived.entries()) {
      const id = pendingChangeId(event);
      const existing = held.get(id);
      const rival = chosen.get(id);
      const other = rival === undefined ? undefined : arrived[rival].event;
      if (existing?.eventId === event.eventId || other?.eventId === event.eventId) outcomes.push('duplicate');
      else if (existing && existing.occurredAt.getTime() > new Date(event.occurredAt).getTime()) outcomes.push('stale');
      else if (other && new Date(other.occurredAt).getTime() > new Date(event.occurredAt).getTime())
        outcomes.push('stale');
      else {
        if (rival !== undefined) outcomes[rival] = 'stale';
        chosen.set(id, i);
        outcomes.push('delivered');
      }
    }
    arrived.forEach(({ event }, i) => {
      if (outcomes[i] !== 'delivered') eventsOut.inc({ app: 'syncer', entity: event.entity, outcome: outcomes[i] });
    });
    const toDeliver: ImmediateEvent[] = [...chosen.values()].map((i) => ({
      event: arrived[i].event,
      existing: held.get(pendingChangeId(arrived[i].event)) ?? null,
      correlationId: arrived[i].correlationId,
    }));
    await this.syncNow.execute(toDeliver, settings);
    return outcomes;
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
      write: held ? { kind: 'if-unchanged' } : { kind: 'latest', changes: [queueChangeOf(event, correlationId)] },
    });
    return result.status;
  }
}
