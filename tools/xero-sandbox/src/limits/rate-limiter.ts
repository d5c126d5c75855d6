import { DAY_MS, MINUTE_MS, SandboxClock } from '../clock';

/** Xero's daily allowance per organisation by app tier. */
export type OrgTier = 'standard' | 'starter';

export const LIMITS = {
  concurrent: 5,
  perMinute: 60,
  perDay: { standard: 5000, starter: 1000 } as Record<OrgTier, number>,
  appPerMinute: 10_000,
} as const;

/** The value Xero puts in `X-Rate-Limit-Problem`. */
export type RateLimitProblem = 'minute' | 'day' | 'concurrent' | 'appminute';

export interface Remaining {
  day: number;
  minute: number;
  appMinute: number;
}

export type AcquireResult =
  { ok: true; release: () => void } | { ok: false; problem: RateLimitProblem; retryAfterXeroMs: number };

interface Window {
  start: number;
  count: number;
}

interface TenantBudget {
  minute?: Window;
  day?: Window;
  inFlight: number;
}

/**
 * Xero's per-organisation and per-app call budgets, with fixed windows on the scaled clock.
 *
 * Xero's limits page says the windows are fixed (not rolling) and reset at different times for each tenant, so a
 * window here opens at the first call after the previous one closed: each tenant's minute and day start at its own
 * first call. A rejected call (429) is not counted, matching Xero, so a client that backs off loses nothing.
 */
export class RateLimiter {
  private readonly tenants = new Map<string, TenantBudget>();
  private app?: Window;

  constructor(private readonly clock: SandboxClock) {}

  /** Tries to start a call for `tenantId`; on success the caller must `release()` when the answer is sent. */
  acquire(tenantId: string, tier: OrgTier): AcquireResult {
    const now = this.clock.xeroNow();
    const t = this.budget(tenantId);
    const day = current(t.day, now, DAY_MS);
    const minute = current(t.minute, now, MINUTE_MS);
    const app = current(this.app, now, MINUTE_MS);
    if (day && day.count >= LIMITS.perDay[tier]) {
      return { ok: false, problem: 'day', retryAfterXeroMs: day.start + DAY_MS - now };
    }
    if (app && app.count >= LIMITS.appPerMinute) {
      return { ok: false, problem: 'appminute', retryAfterXeroMs: app.start + MINUTE_MS - now };
    }
    if (minute && minute.count >= LIMITS.perMinute) {
      return { ok: false, problem: 'minute', retryAfterXeroMs: minute.start + MINUTE_MS - now };
    }
    if (t.inFlight >= LIMITS.concurrent) {
      // Xero gives no window for this one; a second of real time is what it usually takes to clear.
      return { ok: false, problem: 'concurrent', retryAfterXeroMs: 0 };
    }
    t.day = day ?? { start: now, count: 0 };
    t.minute = minute ?? { start: now, count: 0 };
    this.app = app ?? { start: now, count: 0 };
    t.day.count++;
    t.minute.count++;
    this.app.count++;
    t.inFlight++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        t.inFlight--;
      },
    };
  }

  /** What the `X-…-Remaining` headers report for `tenantId` right now. */
  remaining(tenantId: string | undefined, tier: OrgTier): Remaining {
    const now = this.clock.xeroNow();
    const t = tenantId ? this.tenants.get(tenantId) : undefined;
    const day = current(t?.day, now, DAY_MS);
    const minute = current(t?.minute, now, MINUTE_MS);
    const app = current(this.app, now, MINUTE_MS);
    return {
      day: Math.max(0, LIMITS.perDay[tier] - (day?.count ?? 0)),
      minute: Math.max(0, LIMITS.perMinute - (minute?.count ?? 0)),
      appMinute: Math.max(0, LIMITS.appPerMinute - (app?.count ?? 0)),
    };
  }

  /** Calls currently in progress for `tenantId`. */
  inFlight(tenantId: string): number {
    return this.tenants.get(tenantId)?.inFlight ?? 0;
  }

  reset(): void {
    this.tenants.clear();
    this.app = undefined;
  }

  private budget(tenantId: string): TenantBudget {
    let t = this.tenants.get(tenantId);
    if (!t) {
      t = { inFlight: 0 };
      this.tenants.set(tenantId, t);
    }
    return t;
  }
}

function current(w: Window | undefined, now: number, length: number): Window | undefined {
  return w && now < w.start + length ? w : undefined;
}

/**
 * Turns a Xero-time wait into the integer seconds of real time Xero's `Retry-After` carries: rounded up, and never
 * 0, since a client told to wait 0 seconds would retry at once into the same closed window.
 */
export function retryAfterSeconds(clock: SandboxClock, xeroMs: number): number {
  return Math.max(1, Math.ceil(clock.toRealMs(xeroMs) / 1000));
}
