import { BackfillCursor, BackfillItemError, BackfillProgress, MAX_BACKFILL_ERRORS } from '@xero-sync/persistence';

/**
 * The counters of a running backfill. Only settled work is counted: a chunk's published events and rejected
 * items are added together once Kafka acknowledged the chunk, so after a crash or broker outage the saved
 * counters and cursor describe exactly the work before the cursor, and resuming from it counts nothing twice.
 */
export class BackfillTally {
  total: number;
  published: number;
  failed: number;
  readonly errors: BackfillItemError[];
  cursor: BackfillCursor | undefined;

  constructor(start: BackfillProgress) {
    this.total = start.total;
    this.published = start.published;
    this.failed = start.failed;
    this.errors = [...start.errors];
    this.cursor = start.cursor;
  }

  settle(chunk: {
    total: number;
    published: number;
    failed: number;
    errors: BackfillItemError[];
    cursor: BackfillCursor;
  }): void {
    this.total += chunk.total;
    this.published += chunk.published;
    this.failed += chunk.failed;
    for (const e of chunk.errors) if (this.errors.length < MAX_BACKFILL_ERRORS) this.errors.push(e);
    this.cursor = chunk.cursor;
  }

  snapshot(): BackfillProgress {
    return {
      total: this.total,
      published: this.published,
      failed: this.failed,
      errors: [...this.errors],
      cursor: this.cursor,
    };
  }
}

/** Retries of a backfill step that failed for a transient reason (Kafka or the Magento API away). */
export const BACKFILL_RETRY = { attempts: 8, initialMs: 500, maxMs: 15_000 } as const;

export function backoffMs(attempt: number): number {
  return Math.min(BACKFILL_RETRY.maxMs, BACKFILL_RETRY.initialMs * 2 ** attempt);
}

/** A job's lease; renewed on every progress save, so only a dead worker's jobs are taken over. */
export const BACKFILL_LEASE_MS = 60_000;
/** How often progress is written to backfill_jobs while a job runs. */
export const PROGRESS_SAVE_MS = 1000;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
