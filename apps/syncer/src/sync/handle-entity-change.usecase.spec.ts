import { randomUUID } from 'node:crypto';
import { EntityChangeEvent } from '@xero-sync/contracts';
import {
  FlushScheduleRepository,
  defaultMappingSettings,
  PendingChangeRecord,
  PendingChangeRepository,
  PendingChangeState,
  StoreSettings,
  SyncLogRepository,
} from '@xero-sync/persistence';
import { DeliveryResult, XeroDeliveryService } from '@xero-sync/xero';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { BufferEntityChangeUseCase } from './buffer-entity-change.usecase';
import { DeliverAndRecordUseCase } from './deliver-and-record.usecase';
import { HandleEntityChangeUseCase } from './handle-entity-change.usecase';
import { StoreDependencyQueries } from './store-dependency.queries';
import { SyncEntityUseCase } from './sync-entity.usecase';
import { strictFake as strict } from '@xero-sync/testing';

const config = {
  SYNCER_INSTANCE_ID: 'unit',
  SYNCER_RETRY_BASE_MS: 1000,
  SYNCER_RETRY_MAX_MS: 60000,
  SYNCER_MAX_ATTEMPTS: 5,
  SYNCER_DELIVERY_TIMEOUT_MS: 30000,
} as never;

function event(occurredAt = '2026-01-01T00:00:10Z'): EntityChangeEvent {
  return {
    eventId: randomUUID(),
    storeId: 'store-1',
    entity: 'customer',
    entityId: '5',
    occurredAt,
    origin: 'webhook',
    schemaVersion: 1,
    payload: { id: 5, email: 'a@example.com', firstname: 'A', lastname: 'B' } as never,
  };
}

/** Xero's answer for customer `entityId` written. */
function syncedCustomer(entityId: string): DeliveryResult {
  return {
    entity: 'customer',
    entityId,
    status: 'synced',
    action: 'create',
    xeroId: `x-${entityId}`,
    message: 'OK',
    calls: 1,
    durationMs: 1,
  };
}

/** The queue's record holding `e` as its synced content. */
function heldSynced(e: EntityChangeEvent): PendingChangeRecord {
  return {
    eventId: e.eventId,
    occurredAt: new Date(e.occurredAt),
    attempts: 0,
    status: 'synced',
  } as PendingChangeRecord;
}

/**
 * A Xero delivery that records each delivery's items (by `key`) and answers every item synced; with `hold`, a
 * delivery answers only once released (in order).
 */
function recordingDelivery(key: 'entityId' | 'eventId', hold = false) {
  const deliveries: string[][] = [];
  const released: (() => void)[] = [];
  const deliver = async (_s: unknown, items: { entityId: string; eventId: string }[]): Promise<DeliveryResult[]> => {
    deliveries.push(items.map((i) => i[key]));
    if (hold) await new Promise<void>((resolve) => released.push(resolve));
    return items.map((i) => syncedCustomer(i.entityId));
  };
  return { deliveries, released, deliver };
}

function setup(
  settings: Partial<StoreSettings>,
  existing: PendingChangeRecord | null,
  delivery?: Partial<Pick<XeroDeliveryService, 'deliver'>>,
) {
  const saved: { state: PendingChangeState; eventId: string }[] = [];
  const logged: unknown[][] = [];
  const queue = strict<PendingChangeRepository>('queue', {
    findByKey: async () => existing,
    // `existing` is the held content of record customer 5 only.
    findByKeys: async (storeId, keys) =>
      existing && keys.some((k) => k.entity === 'customer' && k.entityId === '5')
        ? [{ ...existing, id: `${storeId}|customer|5` }]
        : [],
    saveLatestEach: async (entries) =>
      entries.map(({ change, state }) => {
        saved.push({ state, eventId: change.eventId });
        return 'saved' as const;
      }),
    saveLatestMany: async (changes, state) =>
      changes.map((change) => {
        saved.push({ state, eventId: change.eventId });
        return 'saved';
      }),
    noteWaiters: async () => undefined,
    wakeWaitersOf: async () => 0,
  });
  const cache = strict<SyncSettingsCache>('settings', {
    get: async () => ({
      storeId: 'store-1',
      mode: 'cron',
      cronIntervalMinutes: 5,
      waitHorizonMinutes: 60,
      entitiesEnabled: ['customer'],
      mapping: defaultMappingSettings(),
      ...settings,
    }),
  });
  const syncLog = strict<SyncLogRepository>('syncLog', { append: async (rows) => void logged.push(rows) });
  const xero = strict<Pick<XeroDeliveryService, 'deliver'>>('delivery', delivery ?? {});
  const deliverAndRecord = new DeliverAndRecordUseCase(
    xero as XeroDeliveryService,
    queue,
    syncLog,
    new StoreDependencyQueries(queue),
    strict<FlushScheduleRepository>('schedules', {}),
    config,
  );
  const useCase = new HandleEntityChangeUseCase(
    cache,
    queue,
    new SyncEntityUseCase(deliverAndRecord, queue),
    new BufferEntityChangeUseCase(queue),
    deliverAndRecord,
    { SYNCER_IMMEDIATE_BATCH_MAX: 50, SYNCER_IMMEDIATE_DELIVERIES_PER_STORE: 4 },
  );
  return { useCase, saved, logged };
}

describe('HandleEntityChangeUseCase', () => {
  it('queues a Cron Job event without calling Xero', async () => {
    const { useCase, saved, logged } = setup({ mode: 'cron' }, null);
    expect(await useCase.execute(event())).toBe('queued');
    expect(saved[0].state.status).toBe('pending');
    expect(logged).toHaveLength(0);
  });

  it('delivers an Immediately event now, keeps its content as synced and logs the attempt', async () => {
    const result: DeliveryResult = {
      entity: 'customer',
      entityId: '5',
      status: 'synced',
      action: 'create',
      xeroId: 'x',
      message: 'OK',
      calls: 1,
      durationMs: 5,
    };
    const { useCase, saved, logged } = setup({ mode: 'immediate' }, null, { deliver: async () => [result] });
    expect(await useCase.execute(event(), 'corr-1')).toBe('delivered');
    expect(saved[0].state).toMatchObject({ status: 'synced', xeroId: 'x' });
    expect(logged[0]).toEqual([
      expect.objectContaining({ status: 'success', message: 'OK', mode: 'immediate', correlationId: 'corr-1' }),
    ]);
  });

  it('falls back to the queue when Xero delivery defers (budget, breaker, connection)', async () => {
    const deferred: DeliveryResult = {
      entity: 'customer',
      entityId: '5',
      status: 'deferred',
      message: 'breaker open',
      error: { code: 'CIRCUIT_OPEN', retryable: true, retryAfterMs: 3000 },
      calls: 0,
      durationMs: 0,
    };
    const { useCase, saved, logged } = setup({ mode: 'immediate' }, null, { deliver: async () => [deferred] });
    await useCase.execute(event());
    expect(saved[0].state).toMatchObject({ status: 'pending', attempts: 0 });
    expect(logged[0]).toEqual([]);
  });

  it('falls back to the queue when delivery throws instead of blocking the partition', async () => {
    const { useCase, saved } = setup({ mode: 'immediate' }, null, {
      deliver: async () => {
        throw new Error('socket hang up');
      },
    });
    await useCase.execute(event());
    expect(saved[0].state).toMatchObject({ status: 'pending', lastError: 'delivery error: socket hang up' });
  });

  it('drops a redelivered event and an event older than the content held, and skips disabled entities', async () => {
    const e = event();
    const held = heldSynced(e);
    expect(await setup({ mode: 'immediate' }, held).useCase.execute(e)).toBe('duplicate');
    const newer = { ...held, eventId: randomUUID(), occurredAt: new Date('2026-01-01T00:01:00Z') };
    expect(await setup({ mode: 'immediate' }, newer).useCase.execute(event())).toBe('stale');
    expect(await setup({ entitiesEnabled: ['order'] }, null).useCase.execute(event())).toBe('disabled');
  });

  it("delivers a store's Immediately events arriving while its delivery runs together in the next one; Cron Job intake is not held", async () => {
    const { deliveries, released, deliver } = recordingDelivery('entityId', true);
    const { useCase, saved, logged } = setup({ mode: 'immediate' }, null, { deliver: deliver });
    const settle = () => new Promise((r) => setTimeout(r, 5));
    const first = { ...event(), entityId: '100' };
    const firstOutcome = useCase.execute(first);
    await settle();
    // A lone event goes at once, on its own.
    expect(deliveries).toEqual([['100']]);
    const later = Array.from({ length: 12 }, (_, i) => ({ ...event(), entityId: String(101 + i) }));
    const laterOutcomes = Promise.all(later.map((e) => useCase.execute(e)));
    await settle();
    // Nothing more starts while the store's delivery runs.
    expect(deliveries).toHaveLength(1);
    released.shift()!();
    await settle();
    // The twelve that arrived meanwhile go to Xero in one delivery and are logged in one write.
    expect(deliveries).toEqual([['100'], later.map((e) => e.entityId)]);
    released.shift()!();
    expect(await firstOutcome).toBe('delivered');
    expect(await laterOutcomes).toEqual(later.map(() => 'delivered'));
    expect(logged.map((rows) => rows.length)).toEqual([1, 12]);
    expect(saved.map((x) => x.eventId).sort()).toEqual([first, ...later].map((e) => e.eventId).sort());
    expect(saved.every((x) => x.state.status === 'synced')).toBe(true);

    // A Cron Job store's events are not held by the deliveries: all of them are queued at once.
    const cron = setup({ mode: 'cron' }, null);
    const queued = await Promise.all(later.map((e) => cron.useCase.execute(e)));
    expect(queued).toEqual(later.map(() => 'queued'));
    expect(cron.saved).toHaveLength(later.length);
  });

  it('drops a redelivery among events delivered together and delivers the others', async () => {
    const { deliveries, deliver } = recordingDelivery('entityId');
    const redelivered = event();
    const { useCase, saved } = setup({ mode: 'immediate' }, heldSynced(redelivered), { deliver });
    const other = { ...event(), entityId: '6' };
    expect(await Promise.all([useCase.execute(redelivered), useCase.execute(other)])).toEqual([
      'duplicate',
      'delivered',
    ]);
    expect(deliveries).toEqual([['6']]);
    expect(saved.map((x) => x.eventId)).toEqual([other.eventId]);
  });

  it('delivers one content per record when two events of one record meet in a delivery: the newer', async () => {
    const { deliveries, deliver } = recordingDelivery('eventId');
    const { useCase, saved } = setup({ mode: 'immediate' }, null, { deliver });
    const newer = event('2026-01-01T00:00:20Z');
    const older = event('2026-01-01T00:00:10Z');
    const again = { ...newer };
    expect(await Promise.all([newer, older, again].map((e) => useCase.execute(e)))).toEqual([
      'delivered',
      'stale',
      'duplicate',
    ]);
    expect(deliveries).toEqual([[newer.eventId]]);
    expect(saved.map((x) => x.eventId)).toEqual([newer.eventId]);
  });
});
