import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { FlushScheduleRecord, FlushScheduleRepository, PendingChangeRepository } from '@xero-sync/persistence';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { FlushOptions, FlushQueueUseCase } from './flush-queue.usecase';
import { currentSlotStart } from './sync-policy';

const INTERVAL_NAME = 'syncer-flush-tick';
/**
 * Asking the queue which stores have due items scans it on FerretDB v1 (only `_id` filters are pushed down), so
 * with a fast tick the asking alone kept the server busy. The answer is reused for this long; Sync Now requests
 * are still seen every tick.
 */
const DUE_SCAN_MIN_MS = 2000;
/**
 * The scan reads every due item (FerretDB decodes each document; MongoDB fetches each from the index), so with a
 * large backlog it is what a syncer spends most on: a drain profile of three syncers found FerretDB spending 37 % of
 * its CPU answering it every 2 s. After each scan the next waits this many times the scan's own duration, within
 * [DUE_SCAN_MIN_MS, DUE_SCAN_MAX_MS]; a store's slot is seen at most DUE_SCAN_MAX_MS late.
 */
const DUE_SCAN_COST_FACTOR = 20;
const DUE_SCAN_MAX_MS = 60_000;

/** How long a due-store scan that took `tookMs` is reused (see DUE_SCAN_COST_FACTOR). */
export function dueScanReuseMs(tookMs: number, tickMs: number): number {
  return Math.min(DUE_SCAN_MAX_MS, Math.max(DUE_SCAN_MIN_MS, tickMs, tookMs * DUE_SCAN_COST_FACTOR));
}

/**
 * Every tick (SYNCER_FLUSH_TICK_MS) looks for stores with due queue items and flushes those whose turn has
 * come: Cron Job stores once per interval slot (see currentSlotStart), Immediately stores whenever
 * fallback items are due, and any store whose "Sync Now" is pending. Flushes of different stores run in
 * parallel up to SYNCER_FLUSH_CONCURRENCY; the org lease makes sure only one syncer flushes an org.
 */
@Injectable()
export class FlushQueueScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FlushQueueScheduler.name);
  private current: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private dueStores: { until: number; ids: string[] } | undefined;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly flush: FlushQueueUseCase,
    private readonly queue: PendingChangeRepository,
    private readonly schedules: FlushScheduleRepository,
    private readonly settings: SyncSettingsCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => this.kick(), this.config.SYNCER_FLUSH_TICK_MS),
    );
  }

  /** Runs a tick now (or right after the one in progress), e.g. after a "Sync Now" command. */
  kick(): void {
    if (this.stopped) return;
    if (this.current) {
      this.again = true;
      return;
    }
    this.current = this.tick()
      .catch((err: unknown) =>
        this.logger.warn(`flush tick failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => {
        this.current = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    this.flush.stop();
    await this.current;
    // Nothing of ours should still be claimed; hand back anything an aborted batch left.
    await this.queue.releaseClaims(this.config.SYNCER_INSTANCE_ID).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    const [due, requested] = await Promise.all([this.storesWithDueItems(), this.schedules.storesWithFlushRequests()]);
    const asked = new Set(requested);
    const candidates = shuffle([...new Set([...due, ...requested])]);
    if (candidates.length === 0) return;
    // One read of every candidate's settings and one of their schedules per tick, not one per store: the tick's
    // database work stays a few commands however many stores have work waiting for their slot. A flush the tick
    // starts uses the settings read here (a change saved since is seen by the next flush, as one saved during a
    // flush always was); Sync Now kicks a tick, so it reads them after the fix that usually precedes it.
    const settingsReadAt = Date.now();
    await this.settings.prefetch(candidates);
    const stores: string[] = [];
    // Stores whose org another syncer is flushing wait without a read (FlushQueueUseCase.busyElsewhere).
    for (const storeId of candidates)
      if (asked.has(storeId) || !(await this.flush.busyElsewhere(storeId))) stores.push(storeId);
    if (stores.length === 0) return;
    const schedules = await this.schedules.schedulesOf(stores);
    let next = 0;
    const worker = async () => {
      while (next < stores.length && !this.stopped) {
        const storeId = stores[next++];
        try {
          const due = await this.dueSlot(storeId, schedules.get(storeId));
          if (!due) continue;
          const report = await this.flush.execute(storeId, { ...due, settingsReadSince: settingsReadAt });
          if (report.drained) this.forgetDue(storeId);
        } catch (err) {
          this.logger.warn(`flush of ${storeId} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.SYNCER_FLUSH_CONCURRENCY, stores.length) }, worker));
  }

  /**
   * A store whose flush left nothing due leaves the reused due-store list until the next scan: otherwise each of
   * its slots until then flushed it again and found nothing (lease, schedule, selection and record: 40 % of the
   * flushes of 200 small stores). What arrives for it meanwhile waits for that scan, as for any store not listed.
   */
  private forgetDue(storeId: string): void {
    if (this.dueStores) this.dueStores.ids = this.dueStores.ids.filter((id) => id !== storeId);
  }

  private async storesWithDueItems(): Promise<string[]> {
    const started = Date.now();
    if (!this.dueStores || started >= this.dueStores.until) {
      const ids = await this.queue.storesWithDueItems();
      const now = Date.now();
      this.dueStores = { until: now + dueScanReuseMs(now - started, this.config.SYNCER_FLUSH_TICK_MS), ids };
    }
    return this.dueStores.ids;
  }

  /**
   * Whether the store is to be flushed now, and how: a Cron Job store once per slot (the flush checks again under
   * the org's lease that no syncer flushed it since the slot began), Sync Now and Immediately fallback items
   * whenever they are there. Undefined when it is not due.
   */
  private async dueSlot(storeId: string, schedule: FlushScheduleRecord | undefined): Promise<FlushOptions | undefined> {
    if (!schedule) return undefined;
    const settings = await this.settings.get(storeId);
    if (schedule.flushRequestedAt) return { requested: true };
    if (settings.mode === 'immediate') return {};
    const intervalMs = Math.max(1, settings.cronIntervalMinutes * this.config.SYNCER_INTERVAL_MINUTE_MS);
    const since = (schedule.lastFlushAt ?? schedule.firstSeenAt).getTime();
    const slotStart = currentSlotStart(storeId, intervalMs, Date.now());
    return since < slotStart ? { slotStart } : undefined;
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
