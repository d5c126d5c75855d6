import { KeyedGroupCommit } from '@xero-sync/persistence';
import type {
  BudgetSlotRepository,
  FreeSlot,
  HeldBudgetSlots,
  OrgBudgetView,
  SlotRelease,
} from '@xero-sync/persistence';
import { XeroError } from '../xero.errors';
import { callRank, type CallLane, type DeliveryPriority, type RankedWaiter } from './org-rate-budget';

/** The slot store the fleet budget spends from (BudgetSlotRepository; a fake in unit specs). */
export type BudgetSlotStore = Pick<
  BudgetSlotRepository,
  'view' | 'claimPairs' | 'releaseMany' | 'blockUntil' | 'setBreakerOpen' | 'deleteSuperseded' | 'openBreakers'
>;

export interface FleetBudgetOptions {
  /** Length of Xero's rate "minute" (XERO_MINUTE_MS). */
  minuteMs: number;
  minuteLimit: number;
  concurrency: number;
  /** Longest a call can keep its slots if its holder dies mid-call (request timeout + margin). */
  callHoldMs: number;
  /** Who holds the slots (the process's instance id). */
  owner: string;
}

/** Slots one call holds fleet-wide; `release(answeredAt)` once the answer (or failure) arrived. */
export interface FleetPermit {
  release(answeredAt: number): void;
}

/**
 * Minute slots a call must leave free for higher priorities, fleet-wide: Sync Now and Immediately writes may
 * take the last slot; admin reads leave one; queue work leaves one (payments, invoices) or two (master data);
 * backfill leaves three. With a backlog, lower lanes still use all but their reserve of every minute.
 */
export function fleetReserve(priority: DeliveryPriority, lane: CallLane): number {
  if (priority === 'interactive') return lane === 'read' ? 1 : 0;
  if (priority === 'normal') return lane === 'master' || lane === 'read' ? 2 : 1;
  return 3;
}

/**
 * In-flight slots a call must leave free, fleet-wide: all but Sync Now and Immediately writes leave one. A process
 * claims for all its waiting calls at once, so without it a backlog's process takes every slot the moment it frees
 * and another process's Sync Now finds none free read after read.
 */
export function fleetInflightReserve(priority: DeliveryPriority, lane: CallLane): number {
  return priority === 'interactive' && lane !== 'read' ? 0 : 1;
}

/** While every in-flight slot is busy, how often the fleet is read again (plus jitter). */
const INFLIGHT_POLL_MS = 20;
/** Superseded slot epochs are cleaned up once a view lists this many (each one makes every claim's read longer). */
const SWEEP_AT = 10;

interface Waiter extends RankedWaiter<FleetPermit> {
  reserve: number;
  inflightReserve: number;
}

interface OrgQueue {
  waiters: Waiter[];
  running: boolean;
  /** Ends the claimer's current wait (a new waiter may be of higher priority, with a smaller reserve). */
  wake?: () => void;
}

/**
 * The org budget every process of the fleet spends from (syncers and admin-api alike), kept in MongoDB as slot
 * documents (`budget_slots`): a call holds one of `concurrency` in-flight slots and one of `minuteLimit` minute
 * slots. A minute slot is held from the claim until the answer + one Xero minute (+ a margin for clock skew
 * between hosts), so the starts of any window of one minute number at most `minuteLimit` and no fixed window of Xero's
 * can count more, whichever processes made them. A 429's Retry-After and an open breaker are written to the org's
 * state document and obeyed by every process.
 *
 * Inside a process each org has one claimer at a time, serving waiters by reserve, then priority and lane, so the fleet's
 * contention (and FerretDB's load) grows with processes, not with waiting calls.
 */
export class FleetBudget {
  private readonly orgs = new Map<string, OrgQueue>();
  private readonly views = new Map<string, OrgBudgetView>();
  private readonly pending = new Set<Promise<void>>();
  /**
   * Releases, one command for every one waiting (any org): a process's calls finish far more often than a write
   * takes on a busy database, so under load one update gives back many calls' slots. A release written late only
   * keeps its in-flight slot busy longer; the minute slot's new expiry is the answer's time + one minute either way.
   */
  private readonly releases: KeyedGroupCommit<SlotRelease, void>;
  private seq = 0;

  constructor(
    private readonly store: BudgetSlotStore,
    private readonly options: FleetBudgetOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.releases = new KeyedGroupCommit(
      async (_key, releases) => {
        await store.releaseMany(releases);
        return releases.map(() => undefined);
      },
      { maxBatch: 500, gatherMs: 0 },
    );
  }

  /** Waits for the org's fleet slots until `deadline` (epoch ms); RATE_LIMITED or CIRCUIT_OPEN otherwise. */
  acquire(org: string, priority: DeliveryPriority, lane: CallLane, deadline: number): Promise<FleetPermit> {
    return new Promise((resolve, reject) => {
      const q = this.orgs.get(org) ?? { waiters: [], running: false };
      this.orgs.set(org, q);
      q.waiters.push({
        rank: callRank(priority, lane),
        seq: this.seq++,
        reserve: Math.min(fleetReserve(priority, lane), this.options.minuteLimit - 1),
        inflightReserve: Math.min(fleetInflightReserve(priority, lane), this.options.concurrency - 1),
        deadline,
        resolve,
        reject,
      });
      // Smallest reserve first: whatever the head must wait for, everyone behind it must wait for too.
      q.waiters.sort(
        (a, b) => a.reserve - b.reserve || a.inflightReserve - b.inflightReserve || a.rank - b.rank || a.seq - b.seq,
      );
      if (!q.running) void this.serve(org, q);
      else q.wake?.();
    });
  }

  /** Xero answered 429: no process calls the org before `until`. */
  blockUntil(org: string, until: number): void {
    this.track(this.store.blockUntil(org, new Date(until)));
  }

  /** This process's breaker for the org opened (until `until`) or closed (null): tell the fleet. */
  breakerChanged(org: string, until: number | null): void {
    this.track(this.store.setBreakerOpen(org, until === null ? null : new Date(until)));
  }

  /** When the fleet's breaker for the org is open until, as this process last read it. */
  openUntil(org: string): number | undefined {
    const at = this.views.get(org)?.breakerOpenUntil?.getTime();
    return at !== undefined && at > this.now() ? at : undefined;
  }

  /** Minute slots free for the org as this process last read them (for metrics). */
  minuteRemaining(org: string): number | undefined {
    return this.views.get(org)?.freeMinute.length;
  }

  /** Orgs this process has read the fleet budget of. */
  knownOrgs(): string[] {
    return [...this.views.keys()];
  }

  /** Resolves when every started release and state write finished (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async serve(org: string, q: OrgQueue): Promise<void> {
    q.running = true;
    try {
      while (q.waiters.length > 0) {
        const head = q.waiters[0];
        const outcome = await this.tryClaim(org, q.waiters).catch(
          (err: unknown) =>
            new XeroError('RATE_LIMITED', `the shared Xero budget could not be read: ${String(err)}`, {
              retryAfterMs: 1_000,
            }),
        );
        if (outcome instanceof XeroError) {
          // The fleet refuses every call of the org (breaker, unreadable budget): every waiter hears it.
          for (const w of q.waiters.splice(0)) w.reject(outcome);
          break;
        }
        if ('permits' in outcome) {
          for (const [w, permit] of outcome.permits) {
            q.waiters.splice(q.waiters.indexOf(w), 1);
            w.resolve(permit);
          }
          continue;
        }
        // A waiter of higher priority arrived during the read: serve it first.
        if (outcome.retryNow || q.waiters[0] !== head) continue;
        const now = this.now();
        for (const w of [...q.waiters]) {
          if (outcome.at > w.deadline) {
            q.waiters.splice(q.waiters.indexOf(w), 1);
            w.reject(
              new XeroError('RATE_LIMITED', 'the fleet-wide rate budget for this Xero org is used up for now', {
                retryAfterMs: Math.max(1, outcome.at - now),
              }),
            );
          }
        }
        if (q.waiters.length === 0) break;
        const wakeAt = Math.min(outcome.at, ...q.waiters.map((w) => w.deadline));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, wakeAt - now) + Math.random() * 10);
          timer.unref?.();
          q.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        q.wake = undefined;
      }
    } finally {
      q.running = false;
      if (q.waiters.length > 0) void this.serve(org, q);
    }
  }

  /**
   * One attempt: permits for the first waiters the free slots allow (claimed together), a time worth trying again
   * at, or a refusal for every waiter.
   */
  private async tryClaim(
    org: string,
    waiters: Waiter[],
  ): Promise<{ permits: Map<Waiter, FleetPermit> } | { at: number; retryNow?: boolean } | XeroError> {
    const o = this.options;
    const nowDate = new Date(this.now());
    const now = nowDate.getTime();
    const view = await this.store.view(org, { inflight: o.concurrency, minute: o.minuteLimit }, nowDate);
    this.views.set(org, view);
    if (view.superseded.length >= SWEEP_AT) this.track(this.store.deleteSuperseded(view.superseded));
    const breakerUntil = view.breakerOpenUntil?.getTime() ?? 0;
    if (breakerUntil > now) {
      return new XeroError('CIRCUIT_OPEN', 'Xero looks unavailable for this org; calls are paused fleet-wide', {
        retryAfterMs: breakerUntil - now,
      });
    }
    const blocked = view.retryAfterUntil?.getTime() ?? 0;
    if (blocked > now) return { at: blocked };
    const reserve = waiters[0].reserve;
    if (view.freeMinute.length <= reserve) {
      const next = view.minuteFreesAt[reserve - view.freeMinute.length];
      return { at: next ? next.getTime() : now + INFLIGHT_POLL_MS };
    }
    if (view.freeInflight.length <= waiters[0].inflightReserve) return { at: now + INFLIGHT_POLL_MS };
    // Waiters are in reserve order: the i-th one granted here leaves its reserves free after the i before it.
    const granted: Waiter[] = [];
    for (const w of waiters) {
      const inflightLeft = view.freeInflight.length - granted.length;
      if (inflightLeft <= w.inflightReserve || view.freeMinute.length - granted.length <= w.reserve) break;
      granted.push(w);
    }
    const inflight = shuffled(view.freeInflight);
    const minute = shuffled(view.freeMinute);
    const held = await this.store.claimPairs(
      org,
      o.owner,
      granted.map((_, i) => ({ inflight: inflight[i], minute: minute[i] })),
      new Date(now + o.callHoldMs),
      new Date(now + o.callHoldMs + this.minuteHoldMs()),
    );
    const permits = new Map<Waiter, FleetPermit>();
    held.forEach((h, i) => h && permits.set(granted[i], this.permit(h)));
    // Lost every race to another process: read again right away.
    if (permits.size === 0) return { at: now, retryNow: true };
    return { permits };
  }

  private permit(held: HeldBudgetSlots): FleetPermit {
    let done = false;
    return {
      release: (answeredAt: number) => {
        if (done) return;
        done = true;
        const release = { held, minuteFreeAt: new Date(answeredAt + this.minuteHoldMs()), now: new Date(this.now()) };
        this.track(this.releases.submit('release', release));
      },
    };
  }

  /**
   * How long after its answer a call still counts against the minute: one minute plus a margin for clock skew
   * between hosts (1 %, at most 250 ms).
   */
  private minuteHoldMs(): number {
    return this.options.minuteMs + Math.min(250, Math.ceil(this.options.minuteMs / 100));
  }

  private track(p: Promise<void>): void {
    // A lost release or state write only makes the fleet stricter until the slot's expiry; never a 429.
    const tracked: Promise<void> = p.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** The slots in random order, so processes claiming at once seldom pick the same ones. */
function shuffled(slots: FreeSlot[]): FreeSlot[] {
  const out = [...slots];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
