import { XeroError } from '../xero.errors';

/** Who is waiting: Sync Now / Immediately mode, normal queue work, or a backfill. */
export type DeliveryPriority = 'interactive' | 'normal' | 'backfill';
/** What the call is for, inside a priority: money movements first, then invoices, then master data. */
export type CallLane = 'payment' | 'invoice' | 'master' | 'read';

export interface RateBudgetOptions {
  /** Length of Xero's rate "minute" (XERO_MINUTE_MS; shorter against a time-scaled sandbox). */
  minuteMs: number;
  minuteLimit: number;
  dayLimit: number;
  concurrency: number;
  /** Minute calls kept for interactive work (Immediately mode, Sync Now). */
  minuteReserve: number;
  /** Daily calls kept for interactive work. */
  dayReserve: number;
  /**
   * Whether Xero's X-MinLimit-Remaining tightens the minute (default true). Off while the fleet budget counts every
   * process's calls: the header counts the same calls later, by Xero's fixed window, and at a fleet running near 60
   * a minute it blocked the process for a whole minute from its observation while its calls held the fleet's
   * in-flight slots, so every process stalled.
   */
  minuteHeader?: boolean;
}

export const DEFAULT_RATE_BUDGET: Omit<RateBudgetOptions, 'minuteMs'> = {
  minuteLimit: 60,
  dayLimit: 5000,
  concurrency: 5,
  minuteReserve: 2,
  dayReserve: 250,
};

/** A granted call slot; `release()` when the answer (or failure) arrived. */
export interface RatePermit {
  release(): void;
}

/** Remaining-quota headers of one Xero answer. */
export interface QuotaObservation {
  dayRemaining?: number;
  minuteRemaining?: number;
  retryAfterMs?: number;
  /** The answer was a 429. */
  limited?: boolean;
  problem?: string;
}

/** A call waiting for a budget: served by `rank` (callRank), then arrival (`seq`); refused if not served by `deadline`. */
export interface RankedWaiter<P> {
  rank: number;
  seq: number;
  deadline: number;
  resolve: (permit: P) => void;
  reject: (e: XeroError) => void;
}

interface Waiter extends RankedWaiter<RatePermit> {
  interactive: boolean;
}

const PRIORITY_RANK: Record<DeliveryPriority, number> = { interactive: 0, normal: 10, backfill: 20 };
const LANE_RANK: Record<CallLane, number> = { payment: 0, invoice: 1, read: 2, master: 3 };

/** Where a waiting call is served, lowest first: by priority, then lane (payments, invoices, reads, master data). */
export function callRank(priority: DeliveryPriority, lane: CallLane): number {
  return PRIORITY_RANK[priority] + LANE_RANK[lane];
}

/**
 * One org's call budget inside this process. Invariants:
 * - at most `concurrency` calls in flight;
 * - no `minuteWindow` of time contains more than `minuteLimit` calls, counting each call from its start until
 *   its answer + one minute. Xero's fixed windows count calls by arrival, which lies inside that span, so no
 *   fixed window can see more than the limit from us (no 429 in normal operation);
 * - the latest X-MinLimit-Remaining / X-DayLimit-Remaining (which include other instances' calls) can only
 *   make it stricter; Retry-After blocks everything until it passes.
 * Waiters are served by priority then lane; `interactive` may use the reserves.
 */
export class OrgRateBudget {
  /** Per call: start time and end time (Infinity while in flight). */
  private readonly calls: { start: number; end: number }[] = [];
  private inFlight = 0;
  private blockedUntil = 0;
  private header?: { minute: number; at: number };
  private dayUsed = 0;
  private dayKey = '';
  private readonly waiters: Waiter[] = [];
  private seq = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly options: RateBudgetOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seeds the day counter from the shared (MongoDB) count so all instances respect one daily budget. */
  syncDayCount(callsToday: number): void {
    this.rollDay();
    this.dayUsed = Math.max(this.dayUsed, callsToday);
  }

  get callsToday(): number {
    this.rollDay();
    return this.dayUsed;
  }

  /** Calls left in today's budget (never below 0). */
  get dayRemaining(): number {
    return Math.max(0, this.options.dayLimit - this.callsToday);
  }

  /**
   * Waits for a slot up to `maxWaitMs`; beyond that rejects with RATE_LIMITED and the time after which a
   * slot is expected, so the caller can defer the work instead of blocking.
   */
  acquire(priority: DeliveryPriority, lane: CallLane, maxWaitMs: number): Promise<RatePermit> {
    return new Promise((resolve, reject) => {
      this.waiters.push({
        rank: callRank(priority, lane),
        seq: this.seq++,
        interactive: priority === 'interactive',
        deadline: this.now() + maxWaitMs,
        resolve,
        reject,
      });
      this.waiters.sort((a, b) => a.rank - b.rank || a.seq - b.seq);
      this.pump();
    });
  }

  /** Feeds the quota headers of an answer. */
  observe(obs: QuotaObservation): void {
    const now = this.now();
    if (obs.minuteRemaining !== undefined) this.header = { minute: obs.minuteRemaining, at: now };
    if (obs.dayRemaining !== undefined) {
      this.rollDay();
      this.dayUsed = Math.max(this.dayUsed, this.options.dayLimit - obs.dayRemaining);
    }
    if (obs.limited) {
      const wait = obs.retryAfterMs ?? this.options.minuteMs;
      this.blockedUntil = Math.max(this.blockedUntil, now + wait);
      if (obs.problem?.toLowerCase().startsWith('day')) this.dayUsed = Math.max(this.dayUsed, this.options.dayLimit);
    }
    this.pump();
  }

  /** Calls currently in flight (for health and tests). */
  get active(): number {
    return this.inFlight;
  }

  private rollDay(): void {
    const key = new Date(this.now()).toISOString().slice(0, 10);
    if (key !== this.dayKey) {
      this.dayKey = key;
      this.dayUsed = 0;
    }
  }

  /** Earliest time a call of this kind could start, or `now` if it can start now. */
  private nextSlot(interactive: boolean, now: number): number {
    const o = this.options;
    const window = o.minuteMs;
    while (this.calls.length > 0 && this.calls[0].end + window <= now && this.calls[0].end !== Infinity)
      this.calls.shift();
    let at = Math.max(now, this.blockedUntil);
    this.rollDay();
    const dayCap = o.dayLimit - (interactive ? 0 : o.dayReserve);
    if (this.dayUsed >= dayCap) {
      const tomorrow = Date.parse(`${this.dayKey}T00:00:00Z`) + 86_400_000;
      return Math.max(at, tomorrow);
    }
    if (this.inFlight >= o.concurrency) return Infinity; // freed by a release
    const cap = o.minuteLimit - (interactive ? 0 : o.minuteReserve);
    const live = this.calls.filter((c) => c.end === Infinity || c.end + window > at);
    if (live.length >= cap) {
      // The (live.length - cap + 1)-th earliest-ending finished call frees the next slot.
      const ends = live
        .map((c) => c.end)
        .filter((e) => e !== Infinity)
        .sort((a, b) => a - b);
      const need = live.length - cap;
      if (need >= ends.length) return Infinity;
      at = Math.max(at, ends[need] + window);
    }
    if (this.header && o.minuteHeader !== false && now < this.header.at + window) {
      // Xero's own count (all instances' calls) as of the last answer, minus what we started since.
      const startedSince = this.calls.filter((c) => c.start >= this.header!.at).length;
      if (this.header.minute - startedSince <= 0) at = Math.max(at, this.header.at + window);
    }
    return at;
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    let wakeAt = Infinity;
    while (this.waiters.length > 0) {
      const w = this.waiters[0];
      const at = this.nextSlot(w.interactive, now);
      if (at <= now) {
        this.waiters.shift();
        w.resolve(this.grant(now));
        continue;
      }
      // Nothing behind the head may overtake it (priority order), except by expiring.
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        const x = this.waiters[i];
        const xAt = i === 0 ? at : this.nextSlot(x.interactive, now);
        // Infinity = freed only by a release (all slots in flight): wait for it until the deadline itself passes.
        const late = Number.isFinite(xAt) ? xAt > x.deadline : now > x.deadline;
        if (late) {
          this.waiters.splice(i, 1);
          const retryAfterMs = Number.isFinite(xAt) ? xAt - now : this.options.minuteMs;
          x.reject(new XeroError('RATE_LIMITED', 'rate budget for this Xero org is used up for now', { retryAfterMs }));
        } else {
          wakeAt = Math.min(wakeAt, x.deadline + 1);
        }
      }
      if (this.waiters.length > 0 && this.waiters[0] === w) wakeAt = Math.min(wakeAt, at);
      break;
    }
    if (this.waiters.length > 0 && Number.isFinite(wakeAt)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, wakeAt - now));
      this.timer.unref?.();
    }
  }

  private grant(now: number): RatePermit {
    const call = { start: now, end: Infinity };
    this.calls.push(call);
    this.inFlight++;
    this.dayUsed++;
    let done = false;
    return {
      release: () => {
        if (done) return;
        done = true;
        call.end = this.now();
        this.calls.sort((a, b) => a.end - b.end);
        this.inFlight--;
        this.pump();
      },
    };
  }
}
