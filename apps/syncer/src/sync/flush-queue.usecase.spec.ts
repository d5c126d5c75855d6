import {
  defaultStoreSettings,
  FlushScheduleRecord,
  FlushScheduleRepository,
  HeldLease,
  LeaseRepository,
  PendingChangeRecord,
  PendingChangeRepository,
  StoreSettings,
} from '@xero-sync/persistence';
import { strictFake as strict } from '@xero-sync/testing';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { AttemptOutcome, DeliverAndRecordRequest, DeliverAndRecordUseCase } from './deliver-and-record.usecase';
import { FlushQueueUseCase } from './flush-queue.usecase';

const config = {
  SYNCER_INSTANCE_ID: 'unit',
  SYNCER_FLUSH_LEASE_MS: 30000,
  SYNCER_CLAIM_LEASE_MS: 60000,
  SYNCER_FLUSH_BATCH_SIZE: 500,
  SYNCER_INTERVAL_MINUTE_MS: 60000,
} as never;

const settings: StoreSettings = { ...defaultStoreSettings('store-1'), xeroTenantId: 'tenant-1', mode: 'cron' };

const queued = (entityId: string): PendingChangeRecord =>
  ({
    storeId: 'store-1',
    entity: 'order',
    entityId,
    id: `store-1|order|${entityId}`,
    payload: { entity_id: Number(entityId) },
    eventId: `ev-${entityId}`,
    correlationId: `corr-${entityId}`,
    attempts: 0,
    status: 'processing',
  }) as never;

/**
 * The use case over fakes that fail on any call not listed: the org's lease is free unless `busy`, the schedule
 * says what `schedule` says, the queue hands out `due` once, and every delivered item syncs.
 */
function setup(opts: {
  /** Another syncer holds the org's lease until this instant. */
  busy?: Date;
  schedule?: Partial<FlushScheduleRecord>;
  due?: PendingChangeRecord[];
  /** Short leases and a slow delivery, to watch the keep-alive at work. */
  slow?: { config: object; deliveryMs: number; extendMs: number };
  /** Every delivered item is deferred (the org's budget is spent). */
  deferAll?: boolean;
  /** Records the first delivered batch wakes: due from then on. */
  wakes?: PendingChangeRecord[];
  /** Ids whose content is replaced while selected: the claim skips them once, and they stay due. */
  replaced?: string[];
}) {
  const calls: string[] = [];
  const delivered: DeliverAndRecordRequest[] = [];
  let due = opts.due ?? [];
  const lease: HeldLease = {
    key: 'flush:org:tenant-1',
    epoch: 1,
    owner: 'unit',
    expiresAt: new Date(Date.now() + 30000),
  };
  const leases = strict<LeaseRepository>('leases', {
    tryAcquire: async (key) => {
      calls.push(`acquire ${key}`);
      return opts.busy ? { busyUntil: opts.busy } : { lease };
    },
    renew: async () => {
      calls.push('renew');
      return lease;
    },
    release: async () => {
      calls.push('release');
    },
  });
  const schedules = strict<FlushScheduleRepository>('schedules', {
    schedulesOf: async (ids) => {
      calls.push('schedulesOf');
      return new Map(ids.map((id) => [id, { storeId: id, firstSeenAt: new Date(0), ...opts.schedule }]));
    },
    markFlushed: async () => {
      calls.push('markFlushed');
    },
  });
  const queue = strict<PendingChangeRepository>('queue', {
    extendClaim: async () => {
      calls.push('extendClaim');
      await new Promise((r) => setTimeout(r, opts.slow?.extendMs ?? 0));
      calls.push('extended');
    },
    selectDue: async (_storeId, limit) => {
      calls.push('selectDue');
      return due.slice(0, limit).map((i) => i.id);
    },
    claim: async (ids) => {
      calls.push(`claim ${ids.join(',')}`);
      const replaced = new Set(opts.replaced?.splice(0));
      const items = due.filter((i) => ids.includes(i.id) && !replaced.has(i.id));
      due = due.filter((i) => !items.includes(i));
      return { claimToken: 'token-1', items };
    },
  });
  const cache = strict<SyncSettingsCache>('settings', {
    get: async (_storeId, o) => {
      if (o?.readSince !== undefined) calls.push(`settings read since ${o.readSince}`);
      else calls.push(o?.fresh ? 'settings fresh' : 'settings cached');
      return settings;
    },
  });
  const deliverAndRecord = strict<DeliverAndRecordUseCase>('deliverAndRecord', {
    attempt: async (req) => {
      delivered.push(req);
      if (opts.slow) await new Promise((r) => setTimeout(r, opts.slow!.deliveryMs));
      const woken = delivered.length === 1 ? (opts.wakes ?? []) : [];
      due.push(...woken);
      const outcomes = req.items.map(
        (item) =>
          ({
            item,
            result: {
              entity: item.entity,
              entityId: item.entityId,
              status: opts.deferAll ? 'deferred' : 'synced',
              calls: 1,
              durationMs: 1,
            },
            state: { status: opts.deferAll ? 'pending' : 'synced' },
          }) as AttemptOutcome,
      );
      return { outcomes, woken: woken.length };
    },
  });
  const useCase = new FlushQueueUseCase(deliverAndRecord, queue, leases, schedules, cache, {
    ...(config as object),
    ...opts.slow?.config,
  } as never);
  return { useCase, calls, delivered };
}

describe('FlushQueueUseCase', () => {
  const slotStart = Date.now() - 10_000;

  it('skips a Cron Job slot another syncer flushed after the tick read the schedule: no claim, lease given back', async () => {
    const { useCase, calls, delivered } = setup({
      schedule: { lastFlushAt: new Date(slotStart + 1) },
      due: [queued('1')],
    });
    const report = await useCase.execute('store-1', { slotStart });
    expect(report).toMatchObject({ acquired: false, skipped: true, batches: 0, drained: false });
    expect(delivered).toHaveLength(0);
    expect(calls).toEqual([
      'settings cached',
      'acquire flush:org:tenant-1',
      'settings fresh',
      'schedulesOf',
      'release',
    ]);
  });

  it('flushes a slot nobody flushed yet: claims, delivers, records the flush', async () => {
    const { useCase, calls, delivered } = setup({
      schedule: { lastFlushAt: new Date(slotStart - 1) },
      due: [queued('1'), queued('2')],
    });
    const report = await useCase.execute('store-1', { slotStart });
    expect(report).toMatchObject({ acquired: true, skipped: false, batches: 1, claimed: 2, synced: 2, drained: true });
    expect(delivered.map((d) => d.items.map((i) => i.entityId))).toEqual([['1', '2']]);
    expect(calls).toEqual([
      'settings cached',
      'acquire flush:org:tenant-1',
      'settings fresh',
      'schedulesOf',
      'selectDue',
      'claim store-1|order|1,store-1|order|2',
      // Everything due was selected and claimed, and nothing woke: no second selection.
      'markFlushed',
      'release',
    ]);
  });

  it('takes the settings its tick read for every candidate instead of reading them again under the lease', async () => {
    const { useCase, calls, delivered } = setup({
      schedule: { lastFlushAt: new Date(slotStart - 1) },
      due: [queued('1')],
    });
    const tickReadAt = Date.now() - 50;
    const report = await useCase.execute('store-1', { slotStart, settingsReadSince: tickReadAt });
    expect(report).toMatchObject({ acquired: true, synced: 1 });
    expect(delivered).toHaveLength(1);
    expect(calls.slice(0, 3)).toEqual([
      'settings cached',
      'acquire flush:org:tenant-1',
      `settings read since ${tickReadAt}`,
    ]);
  });

  it('stops at a batch the budget deferred whole, and says the store is not drained', async () => {
    const { useCase, delivered } = setup({
      schedule: { lastFlushAt: new Date(slotStart - 1) },
      due: [queued('1'), queued('2')],
      deferAll: true,
      slow: { config: { SYNCER_FLUSH_BATCH_SIZE: 1 }, deliveryMs: 0, extendMs: 0 },
    });
    const report = await useCase.execute('store-1', { slotStart });
    expect(report).toMatchObject({ acquired: true, batches: 1, claimed: 1, deferred: 1, drained: false });
    expect(delivered).toHaveLength(1);
  });

  it('selects due items once for several batches and claims them a batch at a time', async () => {
    const { useCase, calls, delivered } = setup({
      schedule: { lastFlushAt: new Date(slotStart - 1) },
      due: ['1', '2', '3', '4', '5'].map(queued),
      slow: { config: { SYNCER_FLUSH_BATCH_SIZE: 2 }, deliveryMs: 0, extendMs: 0 },
    });
    const report = await useCase.execute('store-1', { slotStart });
    expect(report).toMatchObject({ batches: 3, claimed: 5, synced: 5 });
    expect(delivered.map((d) => d.items.map((i) => i.entityId))).toEqual([['1', '2'], ['3', '4'], ['5']]);
    expect(calls.filter((c) => c.startsWith('selectDue') || c.startsWith('claim'))).toEqual([
      'selectDue',
      'claim store-1|order|1,store-1|order|2',
      'claim store-1|order|3,store-1|order|4',
      'claim store-1|order|5',
    ]);
  });

  it('selects again after a selection as long as its limit: more may be due than it held', async () => {
    const { useCase, calls } = setup({
      schedule: { lastFlushAt: new Date(slotStart - 1) },
      // SELECT_AHEAD_BATCHES (10) batches of 1: a selection of 10 of the 11 due.
      due: Array.from({ length: 11 }, (_, i) => queued(String(i + 1))),
      slow: { config: { SYNCER_FLUSH_BATCH_SIZE: 1 }, deliveryMs: 0, extendMs: 0 },
    });
    const report = await useCase.execute('store-1', { slotStart });
    expect(report).toMatchObject({ batches: 11, synced: 11, drained: true });
    // The second selection held the last one, fewer than its limit: no third.
    expect(calls.filter((c) => c === 'selectDue')).toHaveLength(2);
  });

  it('selects again when a batch woke records that waited for it, and delivers them in the same flush', async () => {
    const { useCase, calls, delivered } = setup({
      schedule: { lastFlushAt: new Date(slotStart - 1) },
      due: [queued('1')],
      wakes: [queued('2')],
    });
    const report = await useCase.execute('store-1', { slotStart });
    expect(report).toMatchObject({ batches: 2, synced: 2, drained: true });
    expect(delivered.map((d) => d.items.map((i) => i.entityId))).toEqual([['1'], ['2']]);
    expect(calls.filter((c) => c === 'selectDue')).toHaveLength(2);
  });

  it('selects again when part of a selection could not be claimed (its content was replaced, and is due again)', async () => {
    const { useCase, delivered } = setup({
      schedule: { lastFlushAt: new Date(slotStart - 1) },
      due: [queued('1'), queued('2')],
      replaced: ['store-1|order|2'],
    });
    const report = await useCase.execute('store-1', { slotStart });
    expect(report).toMatchObject({ batches: 2, synced: 2, drained: true });
    expect(delivered.map((d) => d.items.map((i) => i.entityId))).toEqual([['1'], ['2']]);
  });

  it('flushes a slot already flushed when a Sync Now is pending', async () => {
    const { useCase, delivered } = setup({
      schedule: { lastFlushAt: new Date(slotStart + 1), flushRequestedAt: new Date() },
      due: [queued('1')],
    });
    const report = await useCase.execute('store-1', { slotStart });
    expect(report).toMatchObject({ acquired: true, skipped: false, synced: 1 });
    expect(delivered).toHaveLength(1);
  });

  it('costs one lease read when another syncer holds the org: no fresh settings, no schedule read', async () => {
    const { useCase, calls } = setup({ busy: new Date(Date.now() + 30_000), due: [queued('1')] });
    const report = await useCase.execute('store-1', { slotStart });
    expect(report).toMatchObject({ acquired: false, skipped: false });
    expect(calls).toEqual(['settings cached', 'acquire flush:org:tenant-1']);
  });

  it('asks for a busy org again only once the lease it saw has expired, unless a Sync Now is pending', async () => {
    const busyUntil = Date.now() + 300;
    const { useCase, calls } = setup({ busy: new Date(busyUntil), due: [queued('1')] });
    await useCase.execute('store-1', { slotStart });
    expect(await useCase.busyElsewhere('store-1')).toBe(true);
    calls.length = 0;
    expect(await useCase.execute('store-1', { slotStart })).toMatchObject({ acquired: false });
    expect(calls.filter((c) => c.startsWith('acquire'))).toEqual([]);
    // A Sync Now is tried at once.
    await useCase.execute('store-1', { requested: true });
    expect(calls.filter((c) => c.startsWith('acquire'))).toEqual(['acquire flush:org:tenant-1']);
    await new Promise((r) => setTimeout(r, busyUntil - Date.now() + 20));
    expect(await useCase.busyElsewhere('store-1')).toBe(false);
    calls.length = 0;
    await useCase.execute('store-1', { slotStart });
    expect(calls.filter((c) => c.startsWith('acquire'))).toEqual(['acquire flush:org:tenant-1']);
  });

  it('keeps renewing the org lease while a claim extension is slow (the lease must not lapse mid-batch)', async () => {
    const { useCase, calls } = setup({
      due: [queued('1')],
      // Renewal every 100 ms; the 400 ms claim is extended once less than 200 ms is left, and that takes 600 ms.
      slow: { config: { SYNCER_FLUSH_LEASE_MS: 300, SYNCER_CLAIM_LEASE_MS: 400 }, deliveryMs: 1000, extendMs: 600 },
    });
    const report = await useCase.execute('store-1');
    expect(report).toMatchObject({ acquired: true, synced: 1 });
    const extendAt = calls.indexOf('extendClaim');
    const extendedAt = calls.indexOf('extended');
    expect(extendAt).toBeGreaterThan(0);
    expect(calls.slice(extendAt, extendedAt).filter((c) => c === 'renew').length).toBeGreaterThanOrEqual(3);
  });
});
