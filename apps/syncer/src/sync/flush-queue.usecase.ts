import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityName, EntityPayloads } from '@xero-sync/contracts';
import { runWithCorrelation, withTimeout } from '@xero-sync/observability';
import {
  FlushLeaseRepository,
  PendingChangeRecord,
  PendingChangeRepository,
  PendingChangeState,
} from '@xero-sync/persistence';
import { randomUUID } from 'node:crypto';
import { SyncSettingsCache } from '../delivery/sync-settings.cache';
import {
  DeliveryItem,
  DeliveryResult,
  SyncSettings,
  XERO_DELIVERY,
  XeroDelivery,
} from '../delivery/xero-delivery.port';
import { RecordSyncOutcomeUseCase } from './record-sync-outcome.usecase';
import { StoreDependencyQueries } from './store-dependency.queries';
import { AttemptContext, deliveryBackstopMs, nextState, thrownResult } from './sync-policy';

export interface FlushReport {
  storeId: string;
  /** False when another syncer holds the org's flush lease. */
  acquired: boolean;
  batches: number;
  claimed: number;
  synced: number;
  deferred: number;
  failed: number;
}

/**
 * Flushes one store's queue: under the org's flush lease (one flusher per org across all syncers, renewed
 * while working, taken over when a crashed owner's lease expires), claims due items in dependency order and
 * hands them to Xero delivery in batches until nothing is due, the org's budget is spent (everything
 * deferred), the lease is lost, or the syncer stops. Each outcome is written back to its item and the log.
 */
@Injectable()
export class FlushQueueUseCase {
  private readonly logger = new Logger(FlushQueueUseCase.name);
  private readonly owner: string;
  private stopping = false;

  constructor(
    @Inject(XERO_DELIVERY) private readonly delivery: XeroDelivery,
    private readonly queue: PendingChangeRepository,
    private readonly leases: FlushLeaseRepository,
    private readonly settings: SyncSettingsCache,
    private readonly outcome: RecordSyncOutcomeUseCase,
    private readonly dependencies: StoreDependencyQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.owner = config.SYNCER_INSTANCE_ID ?? 'syncer';
  }

  /** Stops starting new batches; the batch in flight finishes and is recorded. */
  stop(): void {
    this.stopping = true;
  }

  async execute(storeId: string): Promise<FlushReport> {
    const report: FlushReport = { storeId, acquired: false, batches: 0, claimed: 0, synced: 0, deferred: 0, failed: 0 };
    if (this.stopping) return report;
    const settings = await this.settings.get(storeId);
    const leaseKey = SyncSettingsCache.leaseKey(settings);
    const leaseMs = this.config.SYNCER_FLUSH_LEASE_MS;
    if (!(await this.leases.tryAcquire(leaseKey, this.owner, leaseMs))) return report;
    report.acquired = true;
    const startedAt = new Date();
    let lost = false;
    let claimed: { token: string; ids: string[]; until: number } | undefined;
    const renewEveryMs = Math.max(50, Math.floor(leaseMs / 3));
    const claimLeaseMs = this.config.SYNCER_CLAIM_LEASE_MS;
    // A claim is extended only once it runs low, not at every lease renewal: extending rewrites every claimed item
    // (on FerretDB a read and a write each), which at a renewal a second made most of a flush's database work.
    const extendBelowMs = Math.max(claimLeaseMs / 2, 2 * renewEveryMs);
    // At most one renewal in flight: when FerretDB is slow (SQLITE_BUSY under load) a tick can outlast the
    // interval, and overlapping ticks (each an updateMany over the whole claimed batch) pile up, fill the
    // connection pool and starve every other query of the process, including Immediately-mode deliveries.
    let renewing = false;
    const keepAlive = setInterval(() => {
      if (renewing) return;
      renewing = true;
      void (async () => {
        if (!(await this.leases.renew(leaseKey, this.owner, leaseMs))) lost = true;
        const batch = claimed;
        if (batch && batch.until - Date.now() <= extendBelowMs) {
          const until = Date.now() + claimLeaseMs;
          await this.queue.extendClaim(batch.token, batch.ids, claimLeaseMs);
          batch.until = until;
        }
      })()
        .catch((err: unknown) => this.logger.warn(`could not renew flush lease ${leaseKey}: ${String(err)}`))
        .finally(() => {
          renewing = false;
        });
    }, renewEveryMs);
    try {
      await runWithCorrelation(`flush-${randomUUID()}`, async () => {
        while (!lost && !this.stopping) {
          const claimedAt = Date.now();
          const batch = await this.queue.claimDue(
            storeId,
            this.owner,
            this.config.SYNCER_FLUSH_BATCH_SIZE,
            claimLeaseMs,
          );
          if (batch.items.length === 0) break;
          claimed = { token: batch.claimToken, ids: batch.items.map((i) => i.id), until: claimedAt + claimLeaseMs };
          report.batches += 1;
          report.claimed += batch.items.length;
          const allDeferred = await this.deliverBatch(settings, batch.claimToken, batch.items, report);
          claimed = undefined;
          if (allDeferred) break;
        }
      });
      await this.leases.markFlushed(storeId, startedAt);
    } finally {
      clearInterval(keepAlive);
      await this.leases.release(leaseKey, this.owner).catch(() => undefined);
    }
    return report;
  }

  /** Delivers one claimed batch and records every outcome; returns true when nothing could be attempted. */
  private async deliverBatch(
    settings: SyncSettings,
    claimToken: string,
    items: PendingChangeRecord[],
    report: FlushReport,
  ): Promise<boolean> {
    const deliveryItems: DeliveryItem[] = items.map((i) => ({
      entity: i.entity as EntityName,
      entityId: i.entityId,
      payload: i.payload as unknown as EntityPayloads[EntityName],
      eventId: i.eventId,
      correlationId: i.correlationId,
    }));
    // Items whose store-side dependency is not synced yet wait without a call; the rest go to Xero.
    const inBatch = new Set(deliveryItems.map((i) => `${i.entity}:${i.entityId}`));
    const held: DeliveryResult[] = [];
    const ready: DeliveryItem[] = [];
    for (const item of deliveryItems) {
      const unmet = await this.dependencies.unmet(settings.storeId, item, inBatch);
      if (unmet) held.push(unmet);
      else ready.push(item);
    }
    let results: DeliveryResult[] = held;
    if (ready.length > 0) {
      try {
        const deadlineMs = this.config.SYNCER_DELIVERY_TIMEOUT_MS;
        const delivered = await withTimeout(
          this.delivery.deliver(settings, ready, { priority: 'normal', timeoutMs: deadlineMs }),
          deliveryBackstopMs(deadlineMs),
          `no answer from Xero delivery within ${deliveryBackstopMs(deadlineMs)} ms`,
        );
        results = [...held, ...delivered];
      } catch (err) {
        this.logger.warn(`delivery of a batch of ${ready.length} for ${settings.storeId} threw: ${String(err)}`);
        results = [...held, ...ready.map((i) => thrownResult(i, err))];
      }
    }
    const byKey = new Map(results.map((r) => [`${r.entity}\u0000${r.entityId}`, r]));
    const now = new Date();
    const updates: { id: string; state: PendingChangeState }[] = [];
    const logged: { result: DeliveryResult; ctx: AttemptContext }[] = [];
    let deferred = 0;
    for (const item of items) {
      const result =
        byKey.get(`${item.entity}\u0000${item.entityId}`) ??
        thrownResult(
          { entity: item.entity as EntityName, entityId: item.entityId },
          'no result returned for this item',
        );
      const state = nextState(
        { ...result, entity: item.entity as EntityName, entityId: item.entityId },
        item.attempts,
        this.outcome.retryPolicy,
        now,
      );
      updates.push({ id: item.id, state });
      if (result.status === 'deferred') deferred += 1;
      else if (state.status === 'synced') report.synced += 1;
      else report.failed += 1;
      logged.push({
        result,
        ctx: {
          storeId: settings.storeId,
          tenantId: settings.xeroTenantId,
          mode: 'cron',
          eventId: item.eventId,
          correlationId: item.correlationId,
          attempt: state.attempts ?? item.attempts + 1,
          syncerId: this.owner,
        },
      });
    }
    report.deferred += deferred;
    // Log first: if the item update then fails, the item is delivered again (unchanged, no call) and logged
    // again, rather than being marked done with its attempt unexplained.
    await this.outcome.execute(logged);
    await this.queue.completeClaimed(claimToken, updates);
    return deferred === items.length;
  }
}
