import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig } from '@xero-sync/config';
import { defaultStoreSettings, FlushScheduleRepository, PendingChangeRepository } from '@xero-sync/persistence';
import { strictFake as strict } from '@xero-sync/testing';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { dueScanReuseMs, FlushQueueScheduler } from './flush-queue.scheduler';
import { FlushQueueUseCase, FlushReport } from './flush-queue.usecase';

describe('dueScanReuseMs (how long a due-store scan is reused)', () => {
  it('reuses a cheap scan for 2 s or a tick, whichever is longer', () => {
    expect(dueScanReuseMs(5, 500)).toBe(2000);
    expect(dueScanReuseMs(5, 3000)).toBe(3000);
  });

  it('paces a costly scan by its own duration, 20 times it, and never waits more than a minute', () => {
    expect(dueScanReuseMs(400, 500)).toBe(8000);
    expect(dueScanReuseMs(1500, 500)).toBe(30_000);
    expect(dueScanReuseMs(10_000, 500)).toBe(60_000);
  });
});

/**
 * The scheduler's ticks over strict fakes: two Immediately stores listed by one due scan (reused for the next
 * ticks); the flush of `shop-drained` leaves nothing due, that of `shop-deferred` stops on an exhausted budget.
 */
describe('FlushQueueScheduler ticks', () => {
  function setup() {
    const flushed: string[] = [];
    const settingsReads: string[][] = [];
    let dueScans = 0;
    const report = (storeId: string, drained: boolean): FlushReport => ({
      storeId,
      acquired: true,
      batches: 1,
      claimed: 1,
      synced: drained ? 1 : 0,
      deferred: drained ? 0 : 1,
      failed: 0,
      skipped: false,
      drained,
    });
    const flush = strict<FlushQueueUseCase>('flush', {
      busyElsewhere: async () => false,
      execute: async (storeId) => {
        flushed.push(storeId);
        return report(storeId, storeId === 'shop-drained');
      },
    });
    const queue = strict<PendingChangeRepository>('queue', {
      storesWithDueItems: async () => {
        dueScans += 1;
        return ['shop-drained', 'shop-deferred'];
      },
    });
    const schedules = strict<FlushScheduleRepository>('schedules', {
      storesWithFlushRequests: async () => [],
      schedulesOf: async (ids) => new Map(ids.map((storeId) => [storeId, { storeId, firstSeenAt: new Date(0) }])),
    });
    const settings = strict<SyncSettingsCache>('settings', {
      prefetch: async (ids) => {
        settingsReads.push([...ids].sort());
      },
      get: async (storeId) => ({ ...defaultStoreSettings(storeId), mode: 'immediate' }),
    });
    const registry = strict<SchedulerRegistry>('registry', { doesExist: () => false });
    const config = { SYNCER_FLUSH_CONCURRENCY: 1, SYNCER_FLUSH_TICK_MS: 60_000 } as AppConfig;
    const scheduler = new FlushQueueScheduler(registry, flush, queue, schedules, settings, config);
    /** Runs one tick to its end: kick, then wait for the tick in progress. */
    const tick = async () => {
      scheduler.kick();
      await (scheduler as unknown as { current?: Promise<void> }).current;
    };
    return { tick, flushed, settingsReads, dueScans: () => dueScans };
  }

  it('flushes a store that drained again only once the next due scan lists it, not at each tick meanwhile', async () => {
    const t = setup();
    await t.tick();
    expect(t.flushed.sort()).toEqual(['shop-deferred', 'shop-drained']);
    t.flushed.length = 0;
    await t.tick();
    await t.tick();
    expect(t.flushed).toEqual(['shop-deferred', 'shop-deferred']);
    expect(t.dueScans()).toBe(1);
    // One settings read per tick for all of its candidates.
    expect(t.settingsReads).toEqual([['shop-deferred', 'shop-drained'], ['shop-deferred'], ['shop-deferred']]);
  });
});
