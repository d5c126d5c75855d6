import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { flushDuration, flushInterval, lastFlush, runWithCorrelation } from '@xero-sync/observability';
import {
  FlushScheduleRepository,
  HeldLease,
  leaseKeys,
  LeaseRepository,
  PendingChangeRecord,
  PendingChangeRepository,
  StoreSettings,
} from '@xero-sync/persistence';
import { randomUUID } from 'node:crypto';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import { attemptItemOf, DeliverAndRecordUseCase } from './deliver-and-record.usecase';

/**
 * Batches a flush selects ahead. The selection is sorted (dependency rank, then due time), which FerretDB answers
 * by decoding every due item of the store however few it returns: selecting once per batch read a store's whole
 * backlog once per batch. Ten batches ahead read it about once per flush.
 */
export const SELECT_AHEAD_BATCHES = 10;

export interface FlushReport {
  storeId: string;
  /** False when another syncer holds the org's flush lease. */
  acquired: boolean;
  batches: number;
  claimed: number;
  synced: number;
  deferred: number;
  failed: number;
  /** True when the lease was taken but another syncer had flushed the store in this slot already. */
  skipped: boolean;
  /** True when the flush stopped because the store had nothing due left (not deferred, lease lost or stopping). */
  drained: boolean;
}

export interface FlushOptions {
  /**
   * Start of the store's current Cron Job slot: the flush is skipped when any syncer has flushed the store since
   * (and no Sync Now is pending). The scheduler decides a store is due from schedules it read at the start of its
   * tick; with several syncers another one may have flushed the store after that read, and a second flush in the
   * same slot found only the few items that arrived in between, at the full fixed cost of a delivery run.
   */
  slotStart?: number;
  /** A Sync Now is pending: tried even while another syncer was last seen holding the org's lease. */
  requested?: boolean;
  /**
   * The flush may use the store's settings as read at or after this time (epoch ms; the scheduler's tick read
   * them for every candidate at once); without it they are read when the lease is held.
   */
  settingsReadSince?: number;
}

/** How long a lease taken between our read and our insert (its expiry unknown) is left alone. */
const BUSY_UNKNOWN_MS = 5000;

/**
 * Flushes one store's queue: under the org's flush lease (one flusher per org across all syncers, renewed
 * while working, taken over when a crashed owner's lease expires), claims due items in dependency order and
 * attempts them in batches (DeliverAndRecordUseCase, outcomes written under the claim) until nothing is due, the
 * org's budget is spent (everything deferred), the lease is lost, or the syncer stops.
 */
@Injectable()
export class FlushQueueUseCase {
  private readonly logger = new Logger(FlushQueueUseCase.name);
  private readonly owner: string;
  private stopping = false;
  /**
   * Orgs whose flush lease another syncer held when last asked, and until when (the lease's expiry as read): until
   * then this syncer does not ask again. With several syncers most attempts found the org busy, and asking every
   * tick was a sixth of the fleet's database commands in the 3-syncer bench. The holder keeps the org (it takes the
   * lease again at its next tick); a crashed holder's lease could not be taken before its expiry anyway; a lease
   * released early is seen by the others when the expiry they read comes. Sync Now is always tried.
   */
  private readonly busyUntil = new Map<string, number>();

  constructor(
    private readonly deliverAndRecord: DeliverAndRecordUseCase,
    private readonly queue: PendingChangeRepository,
    private readonly leases: LeaseRepository,
    private readonly schedules: FlushScheduleRepository,
    private readonly settings: SyncSettingsCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.owner = config.SYNCER_INSTANCE_ID;
  }

  /** Stops starting new batches; the batch in flight finishes and is recorded. */
  stop(): void {
    this.stopping = true;
  }

  async execute(storeId: string, opts: FlushOptions = {}): Promise<FlushReport> {
    const report: FlushReport = {
      storeId,
      acquired: false,
      batches: 0,
      claimed: 0,
      synced: 0,
      deferred: 0,
      failed: 0,
      skipped: false,
      drained: false,
    };
    if (this.stopping) return report;
    // The lease key from the cached settings: a syncer that finds the org busy (most attempts, with several
    // syncers) then costs one lease read. The flush itself uses settings read fresh once it holds the lease.
    const leaseKey = await this.leaseKeyOf(storeId);
    if (!opts.requested && this.isBusy(leaseKey)) return report;
    const leaseMs = this.config.SYNCER_FLUSH_LEASE_MS;
    const taken = await this.leases.tryAcquire(leaseKey, this.owner, leaseMs);
    if (!('lease' in taken)) {
      const now = Date.now();
      this.busyUntil.set(leaseKey, Math.min(taken.busyUntil?.getTime() ?? now + BUSY_UNKNOWN_MS, now + leaseMs));
      return report;
    }
    this.busyUntil.delete(leaseKey);
    const acquired = taken.lease;
    let settings: StoreSettings;
    try {
      settings = await this.settings.get(
        storeId,
        opts.settingsReadSince === undefined ? { fresh: true } : { readSince: opts.settingsReadSince },
      );
      // Bound to another org since the cache was filled: that org's lease is the one to hold (the next tick).
      const rebound = leaseKeys.flush(SyncSettingsCache.leaseKey(settings)) !== leaseKey;
      if (rebound || (await this.flushedSince(storeId, opts.slotStart))) {
        report.skipped = !rebound;
        await this.leases.release(acquired);
        return report;
      }
    } catch (err) {
      await this.leases.release(acquired).catch(() => undefined);
      throw err;
    }
    let lease: HeldLease = acquired;
    report.acquired = true;
    const startedAt = new Date();
    let lost = false;
    let claimed: { token: string; ids: string[]; until: number } | undefined;
    const renewEveryMs = Math.max(50, Math.floor(leaseMs / 3));
    const claimLeaseMs = this.config.SYNCER_CLAIM_LEASE_MS;
    // A claim is extended only once it runs low, not at every lease renewal: extending rewrites every claimed item
    // (on FerretDB a read and a write each), which at a renewal a second made most of a flush's database work.
    const extendBelowMs = Math.max(claimLeaseMs / 2, 2 * renewEveryMs);
    // At most one lease renewal and one claim extension in flight: when FerretDB is slow (SQLITE_BUSY under load)
    // a tick can outlast the interval, and overlapping ticks (each extension an updateMany over the whole claimed
    // batch) pile up, fill the connection pool and starve every other query of the process, including
    // Immediately-mode deliveries. The two go separately: an extension of a few hundred claimed items can take
    // seconds under load, and renewals waiting behind it let the org's lease lapse mid-batch, so another syncer
    // took the org over and flushed it beside this one (its store invoices then waited for the orders this
    // batch was still delivering).
    let renewing = false;
    let extending = false;
    const keepAlive = setInterval(() => {
      if (!renewing) {
        renewing = true;
        void this.leases
          .renew(lease, leaseMs)
          .then((renewed) => {
            if (renewed) lease = renewed;
            else lost = true;
          })
          .catch((err: unknown) => this.logger.warn(`could not renew flush lease ${leaseKey}: ${String(err)}`))
          .finally(() => {
            renewing = false;
          });
      }
      const batch = claimed;
      if (!extending && batch && batch.until - Date.now() <= extendBelowMs) {
        extending = true;
        const until = Date.now() + claimLeaseMs;
        void this.queue
          .extendClaim(batch.token, batch.ids, claimLeaseMs)
          .then(() => {
            batch.until = until;
          })
          .catch((err: unknown) => this.logger.warn(`could not extend the claim of ${leaseKey}: ${String(err)}`))
          .finally(() => {
            extending = false;
          });
      }
    }, renewEveryMs);
    try {
      await runWithCorrelation(`flush-${randomUUID()}`, async () => {
        const batchSize = this.config.SYNCER_FLUSH_BATCH_SIZE;
        // Due items selected ahead, claimed a batch at a time; selected again once used up. What arrives in the
        // meantime waits for the next selection (at most SELECT_AHEAD_BATCHES batches later).
        const selectLimit = batchSize * SELECT_AHEAD_BATCHES;
        let selected: string[] = [];
        let claimedSinceSelect = 0;
        // Whether the last selection was all that was due, and all of it was claimed and woke nothing: then what a
        // new selection could find is only what arrived during the flush, which waits for the next one, as
        // arrivals after any selection do. A small store's flush is mostly one short selection, and each ended with
        // a selection that found nothing (one of the ~30 commands of its delivery).
        let wholeSelection = false;
        while (!lost && !this.stopping) {
          if (selected.length === 0) {
            if (wholeSelection) {
              report.drained = true;
              break;
            }
            selected = await this.queue.selectDue(storeId, selectLimit);
            claimedSinceSelect = 0;
            wholeSelection = selected.length < selectLimit;
            if (selected.length === 0) {
              report.drained = true;
              break;
            }
          }
          const claimedAt = Date.now();
          const wanted = selected.splice(0, batchSize);
          const batch = await this.queue.claim(wanted, this.owner, claimLeaseMs);
          claimedSinceSelect += batch.items.length;
          // Not claimed: replaced or requeued meanwhile, and perhaps due again.
          if (batch.items.length < wanted.length) wholeSelection = false;
          if (batch.items.length === 0) {
            // Everything selected went elsewhere meanwhile (replaced, synced by Sync Now): select afresh, and stop
            // when a whole selection yielded nothing to claim.
            if (selected.length === 0 && claimedSinceSelect === 0) {
              report.drained = true;
              break;
            }
            continue;
          }
          claimed = { token: batch.claimToken, ids: batch.items.map((i) => i.id), until: claimedAt + claimLeaseMs };
          report.batches += 1;
          report.claimed += batch.items.length;
          const { allDeferred, woken } = await this.deliverBatch(settings, batch.claimToken, batch.items, report);
          claimed = undefined;
          if (allDeferred) break;
          // Records that waited for this batch's are due now: the next selection takes them.
          if (woken > 0) wholeSelection = false;
        }
      });
      await this.schedules.markFlushed(storeId, startedAt);
      this.recordFlush(settings, startedAt);
    } finally {
      clearInterval(keepAlive);
      await this.leases.release(lease).catch(() => undefined);
    }
    return report;
  }

  /** Whether another syncer held the store's org lease when this one last asked, and it has not expired since. */
  async busyElsewhere(storeId: string): Promise<boolean> {
    return this.isBusy(await this.leaseKeyOf(storeId));
  }

  private isBusy(leaseKey: string): boolean {
    const until = this.busyUntil.get(leaseKey);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.busyUntil.delete(leaseKey);
    return false;
  }

  private async leaseKeyOf(storeId: string): Promise<string> {
    return leaseKeys.flush(SyncSettingsCache.leaseKey(await this.settings.get(storeId)));
  }

  /** True when some syncer flushed the store at or after `slotStart` and no Sync Now waits. */
  private async flushedSince(storeId: string, slotStart: number | undefined): Promise<boolean> {
    if (slotStart === undefined) return false;
    const schedule = (await this.schedules.schedulesOf([storeId])).get(storeId);
    if (!schedule?.lastFlushAt || schedule.flushRequestedAt) return false;
    return schedule.lastFlushAt.getTime() >= slotStart;
  }

  /** Feeds the flush panels and the "no flush for 3 intervals" alert (Cron Job stores only). */
  private recordFlush(settings: StoreSettings, startedAt: Date): void {
    const now = Date.now();
    flushDuration.observe((now - startedAt.getTime()) / 1000);
    if (settings.mode !== 'cron') return;
    const store = settings.storeId;
    lastFlush.set({ store }, now / 1000);
    flushInterval.set({ store }, (settings.cronIntervalMinutes * this.config.SYNCER_INTERVAL_MINUTE_MS) / 1000);
  }

  /**
   * Delivers one claimed batch and records every outcome; tells whether nothing could be attempted and how many
   * waiting records the batch made due.
   */
  private async deliverBatch(
    settings: StoreSettings,
    claimToken: string,
    items: PendingChangeRecord[],
    report: FlushReport,
  ): Promise<{ allDeferred: boolean; woken: number }> {
    const { outcomes, woken } = await this.deliverAndRecord.attempt({
      settings,
      mode: 'cron',
      items: items.map((i) => attemptItemOf(i)),
      write: { kind: 'claimed', claimToken, items },
    });
    let deferred = 0;
    for (const { result, state } of outcomes) {
      if (result.status === 'deferred') deferred += 1;
      else if (state.status === 'synced') report.synced += 1;
      else report.failed += 1;
    }
    report.deferred += deferred;
    return { allDeferred: deferred === items.length, woken };
  }
}
