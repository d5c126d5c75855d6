import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import {
  BackfillFence,
  BackfillJobRecord,
  BackfillJobRepository,
  BackfillProgress,
  BackfillStatus,
  HeldLease,
  leaseKeys,
  LeaseRepository,
} from '@xero-sync/persistence';
import { BACKFILL_LEASE_MS } from './backfill-progress';

/**
 * A backfill job this worker holds the lease of. Every progress save renews the lease first and is fenced by its
 * epoch, so a worker that lost the job (its lease lapsed and another worker took it over) stops at its next save
 * without touching the successor's numbers.
 */
export class ClaimedBackfillJob {
  constructor(
    readonly job: BackfillJobRecord,
    private readonly fence: BackfillFence,
    private lease: HeldLease,
    private readonly jobs: BackfillJobRepository,
    private readonly leases: LeaseRepository,
  ) {}

  /** Saves counters and cursor; false when the job was cancel-requested or this worker no longer holds it. */
  async saveProgress(progress: BackfillProgress): Promise<boolean> {
    const renewed = await this.leases.renew(this.lease, BACKFILL_LEASE_MS);
    if (!renewed) return false;
    this.lease = renewed;
    return this.jobs.recordProgress(this.fence, progress);
  }

  /** Ends the job (if this worker still holds it) and gives the lease back. */
  async finish(
    status: Extract<BackfillStatus, 'succeeded' | 'failed' | 'cancelled'>,
    progress: BackfillProgress,
    lastError?: string,
  ): Promise<void> {
    try {
      await this.jobs.finish(this.fence, { status, progress, lastError });
    } finally {
      await this.leases.release(this.lease);
    }
  }
}

/**
 * Takes a backfill job for this ingest worker: its `backfill:<jobId>` lease decides between workers (exactly one
 * of several concurrent claimers gets it, also on FerretDB), then the job is marked running under that lease's
 * epoch. Returns null when another live worker runs it, or it is finished or cancel-requested.
 */
@Injectable()
export class ClaimBackfillJobUseCase {
  /** This process as a lease holder; the random part keeps two apps in one process (tests) apart. */
  private readonly owner: string;

  constructor(
    private readonly jobs: BackfillJobRepository,
    private readonly leases: LeaseRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.owner = `ingest-${config.SYNCER_INSTANCE_ID}-${randomBytes(3).toString('hex')}`;
  }

  async execute(jobId: string): Promise<ClaimedBackfillJob | null> {
    const lease = await this.leases.acquire(leaseKeys.backfill(jobId), this.owner, BACKFILL_LEASE_MS);
    if (!lease) return null;
    const running = await this.jobs.markRunning(jobId, lease).catch(async (err: unknown) => {
      await this.leases.release(lease);
      throw err;
    });
    if (!running) {
      await this.leases.release(lease);
      return null;
    }
    return new ClaimedBackfillJob(running.job, running.fence, lease, this.jobs, this.leases);
  }
}
