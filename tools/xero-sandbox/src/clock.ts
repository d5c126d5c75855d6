/**
 * The sandbox's two notions of time.
 *
 * - `xeroNow()` is the scaled "Xero clock" every window runs on (rate-limit minutes and days, token lifetimes,
 *   the idempotency window). With `timeScale` 60 a Xero minute passes in one real second, so a test can cross a
 *   minute boundary without waiting one.
 * - `wallNow()` is real time (plus any manual advance) and is what documents show as `UpdatedDateUTC`, so the
 *   timestamps a client sees and sends back in `If-Modified-Since` stay comparable with its own clock.
 *
 * `advance(ms)` moves both forward by `ms` Xero milliseconds (used by `POST /__sandbox/time`).
 */
export class SandboxClock {
  private readonly realStart = Date.now();
  private advancedMs = 0;

  constructor(readonly timeScale: number = 1) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${timeScale}`);
  }

  /** Scaled Xero time in ms since the epoch (starts equal to real time). */
  xeroNow(): number {
    return this.realStart + (Date.now() - this.realStart) * this.timeScale + this.advancedMs;
  }

  /** Real time plus manual advances, used for document timestamps. */
  wallNow(): number {
    return Date.now() + this.advancedMs;
  }

  /** Moves the clock forward by `ms` Xero milliseconds. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error('advanceMs must be a non-negative number');
    this.advancedMs += ms;
  }

  /** Converts a Xero-time duration into real milliseconds (what a client actually waits). */
  toRealMs(xeroMs: number): number {
    return xeroMs / this.timeScale;
  }

  /** Total manual advance, persisted in snapshots so expiries survive a restart. */
  get advanced(): number {
    return this.advancedMs;
  }

  restoreAdvance(ms: number): void {
    this.advancedMs = ms;
  }
}

/** Xero's durations in Xero-time milliseconds. */
export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;
