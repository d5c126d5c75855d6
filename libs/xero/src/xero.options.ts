import { BreakerOptions } from './breaker/org-breakers';
import { RateBudgetOptions } from './limiter/org-rate-budget';

/** Tuning for XeroModule; every field has a production default. */
export interface XeroModuleOptions {
  /** Elements per batch call (default XERO_BATCH_SIZE, 50 as Xero recommends). */
  batchSize?: number;
  /** Request body ceiling per call (Xero's limit is 3.5 MB). */
  maxBatchBytes?: number;
  /** Longest a delivery waits for a rate slot before answering 'deferred' (default: min(minute, 10 s)). */
  maxRateWaitMs?: number;
  rate?: Partial<Omit<RateBudgetOptions, 'minuteMs'>>;
  breaker?: Partial<BreakerOptions>;
  /**
   * Spend from the fleet-wide per-org budget in MongoDB (`budget_slots`) as well as this process's own (default
   * true). Off only to measure what the shared budget costs; several processes without it can exceed Xero's limits.
   */
  fleetBudget?: boolean;
  /** Refresh lease length; a crashed holder blocks refreshes at most this long. */
  tokenLeaseMs?: number;
}

export const XERO_OPTIONS = Symbol('XERO_OPTIONS');

export const DEFAULT_BATCH_SIZE = 50;
export const DEFAULT_MAX_BATCH_BYTES = 3_500_000;
