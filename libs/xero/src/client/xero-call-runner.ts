import { AccountingApi } from 'xero-node';
import { AppConfig } from '@xero-sync/config';
import {
  xeroBreakerOpen,
  xeroCallDuration,
  xeroCalls,
  xeroDayBudgetRemaining,
  xeroMinuteSlotsFree,
} from '@xero-sync/observability';
import { KeyedGroupCommit, RecordedCall, RequestStatsRepository, utcDay } from '@xero-sync/persistence';
import { BreakerStateName, DEFAULT_BREAKER, OrgBreakers } from '../breaker/org-breakers';
import { BudgetSlotStore, FleetBudget, FleetPermit } from '../limiter/fleet-budget';
import { DEFAULT_RATE_BUDGET, OrgRateBudget, RatePermit } from '../limiter/org-rate-budget';
import { XeroConnectionService } from '../tokens/xero-connection.service';
import {
  CallNotStartedError,
  classifyFailure,
  lowerHeaders,
  parseXeroNodeRejection,
  retryAfterMs,
  XeroError,
} from '../xero.errors';
import { XeroModuleOptions } from '../xero.options';
import { CallContext, SdkCall } from './xero-call.types';

/** How long a finished call's count waits for others before they are written together (see `record`). */
const STATS_GATHER_MS = 250;

/** Margin on top of the request timeout before a dead holder's fleet slots lapse. */
const HOLD_MARGIN_MS = 5_000;

/**
 * The request/answer plumbing behind XeroAccountingClient's endpoint methods. Each call: breaker check → the
 * fleet's slots for the org (shared by every process, see FleetBudget) → this process's per-org budget (Xero's
 * remaining-quota headers, the daily limit) → access token → the SDK call (basePath from XERO_API_URL, with a
 * timeout) → quota headers fed back to the budgets → counted in metrics and (a batch at a time) in request_stats.
 * Rejections (xero-node's JSON strings) become XeroError codes; a 401 refreshes the token once and retries.
 */
export class XeroCallRunner {
  private readonly budgets = new Map<string, Promise<OrgRateBudget>>();
  private readonly breakers: OrgBreakers;
  private readonly fleet?: FleetBudget;
  /** Longest one request may take (the SDK call's timeout). */
  readonly timeoutMs: number;
  /**
   * request_stats writes, one at a time (FerretDB applies `$inc` as a read and a write, so two at once can lose
   * counts): the calls of a gather window, and those finishing while it is written, go in one command with one `$inc`
   * per org. A process killed mid-window loses that window's counts, never a call: they feed the daily report,
   * while the day budget follows Xero's remaining-quota headers.
   */
  private readonly statsWrites: KeyedGroupCommit<RecordedCall, void>;
  private readonly pendingStats = new Set<Promise<void>>();

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: XeroConnectionService,
    private readonly stats: RequestStatsRepository,
    private readonly options: XeroModuleOptions,
    private readonly slots?: BudgetSlotStore,
  ) {
    const breaker = { ...DEFAULT_BREAKER, ...(options.breaker ?? {}) };
    this.statsWrites = new KeyedGroupCommit(
      async (_key, calls) => {
        await stats.recordCalls(calls);
        return calls.map(() => undefined);
      },
      { maxBatch: 1_000, gatherMs: STATS_GATHER_MS },
    );
    this.timeoutMs = breaker.timeoutMs;
    if (slots && options.fleetBudget !== false) {
      const rate = { ...DEFAULT_RATE_BUDGET, ...(options.rate ?? {}) };
      this.fleet = new FleetBudget(slots, {
        minuteMs: config.XERO_MINUTE_MS,
        minuteLimit: rate.minuteLimit,
        concurrency: rate.concurrency,
        callHoldMs: breaker.timeoutMs + HOLD_MARGIN_MS,
        owner: config.SYNCER_INSTANCE_ID,
      });
    }
    this.breakers = new OrgBreakers(breaker, (tenantId, state) => {
      if (state === 'open') this.fleet?.breakerChanged(tenantId, Date.now() + breaker.resetTimeoutMs);
      if (state === 'closed') this.fleet?.breakerChanged(tenantId, null);
    });
  }

  /** Stops the breakers' timers. */
  shutdown(): void {
    this.breakers.shutdown();
  }

  /** Each org's breaker: this process's, or 'open' while another process has it open (fleet-wide). */
  breakerStates(): Record<string, BreakerStateName> {
    const states = this.breakers.states();
    for (const org of this.fleet?.knownOrgs() ?? []) states[org] = this.breakerState(org);
    return states;
  }

  breakerState(tenantId: string): BreakerStateName {
    return this.fleet?.openUntil(tenantId) !== undefined ? 'open' : this.breakers.state(tenantId);
  }

  /** Orgs whose breaker any process of the fleet has open now (empty without the fleet budget). */
  async fleetOpenBreakers(): Promise<string[]> {
    if (!this.fleet || !this.slots) return [];
    return Object.keys(await this.slots.openBreakers());
  }

  async callsToday(tenantId: string): Promise<number> {
    return (await this.budget(tenantId)).callsToday;
  }

  async flushStats(): Promise<void> {
    await Promise.all([...this.pendingStats, this.fleet?.settle()]);
  }

  /** Runs one SDK call under the org's breaker and budget; returns Xero's raw JSON answer. */
  async call(
    tenantId: string,
    endpoint: string,
    ctx: CallContext,
    fn: SdkCall,
  ): Promise<{ data: unknown; status: number }> {
    let token = await this.tokens.accessToken(tenantId);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(tenantId, endpoint, ctx, token, fn);
      } catch (err) {
        if (attempt === 1 && err instanceof XeroError && err.code === 'UNAUTHORIZED' && err.status === 401) {
          token = await this.tokens.accessToken(tenantId, token);
          continue;
        }
        throw err;
      }
    }
  }

  private async once(
    tenantId: string,
    endpoint: string,
    ctx: CallContext,
    token: string,
    fn: SdkCall,
  ): Promise<{ data: unknown; status: number }> {
    if (this.breakers.isOpen(tenantId)) {
      throw new XeroError('CIRCUIT_OPEN', 'Xero looks unavailable for this org; calls are paused', {
        retryAfterMs: this.options.breaker?.resetTimeoutMs ?? DEFAULT_BREAKER.resetTimeoutMs,
      });
    }
    const budget = await this.budget(tenantId);
    if (ctx.signal?.aborted) throw outOfTime();
    const deadline = Date.now() + (ctx.maxWaitMs ?? this.maxWaitMs());
    // The fleet's slots first: waiting for them while holding one of this process's 5 local slots would let
    // backfill calls parked at the fleet block a Sync Now of the same process. Holding a fleet slot, the local
    // budget can only be stricter through Xero's headers or the daily limit (its calls are a subset of the fleet's).
    let shared: FleetPermit | undefined;
    try {
      shared = await this.fleet?.acquire(tenantId, ctx.priority, ctx.lane, deadline);
    } finally {
      this.publish(tenantId);
    }
    let permit: RatePermit;
    try {
      permit = await budget.acquire(ctx.priority, ctx.lane, Math.max(0, deadline - Date.now()));
    } catch (err) {
      shared?.release(Date.now());
      throw err;
    }
    if (ctx.signal?.aborted) {
      // The slots waited for are given back unused (they still count as spent: conservative, never a 429).
      permit.release();
      shared?.release(Date.now());
      throw outOfTime();
    }
    const started = Date.now();
    let status = 0;
    let called = false;
    let headers: Record<string, string> = {};
    try {
      return await this.breakers.run(tenantId, async () => {
        const api = new AccountingApi(this.config.XERO_API_URL);
        api.accessToken = token;
        // The SDK exposes no timeout; its auth hook sees the axios options of every request.
        api.setDefaultAuthentication({
          applyToRequest: (o: { timeout?: number }) => {
            o.timeout = this.timeoutMs;
          },
        });
        called = true;
        try {
          const res = await fn(api, tenantId, { headers: {} });
          status = res.response.status;
          headers = lowerHeaders(res.response.headers);
          return { data: res.response.data as unknown, status };
        } catch (reason) {
          if (reason instanceof XeroError) throw reason;
          const failure = parseXeroNodeRejection(reason);
          status = failure.status;
          headers = failure.headers;
          throw classifyFailure(failure);
        }
      });
    } finally {
      permit.release();
      shared?.release(Date.now());
      if (status === 429)
        this.fleet?.blockUntil(tenantId, Date.now() + (retryAfterMs(headers) ?? this.config.XERO_MINUTE_MS));
      budget.observe({
        dayRemaining: num(headers['x-daylimit-remaining']),
        minuteRemaining: num(headers['x-minlimit-remaining']),
        limited: status === 429,
        retryAfterMs: status === 429 ? retryAfterMs(headers) : undefined,
        problem: headers['x-rate-limit-problem'],
      });
      xeroDayBudgetRemaining.set({ org: tenantId }, budget.dayRemaining);
      if (called) this.record(tenantId, endpoint, ctx, status, headers, started);
    }
  }

  /** The fleet's view of the org for /metrics: open breaker, minute slots left. */
  private publish(tenantId: string): void {
    xeroBreakerOpen.set({ org: tenantId }, this.breakerState(tenantId) === 'open' ? 1 : 0);
    const remaining = this.fleet?.minuteRemaining(tenantId);
    if (remaining !== undefined) xeroMinuteSlotsFree.set({ org: tenantId }, remaining);
  }

  private record(
    tenantId: string,
    endpoint: string,
    ctx: CallContext,
    status: number,
    headers: Record<string, string>,
    started: number,
  ): void {
    xeroCalls.inc({ org: tenantId, endpoint, status: String(status) });
    xeroCallDuration.observe({ endpoint }, (Date.now() - started) / 1000);
    const call = {
      tenantId,
      endpoint,
      callClass: ctx.callClass ?? (ctx.lane === 'read' ? 'read' : 'sync'),
      instance: this.config.SYNCER_INSTANCE_ID,
      status,
      at: new Date(),
      dayRemaining: num(headers['x-daylimit-remaining']),
      minuteRemaining: num(headers['x-minlimit-remaining']),
      appMinuteRemaining: num(headers['x-appminlimit-remaining']),
    };
    const write: Promise<void> = this.statsWrites
      .submit('request_stats', call)
      .catch(() => undefined) // a lost count, never a failed call
      .finally(() => this.pendingStats.delete(write));
    this.pendingStats.add(write);
  }

  private maxWaitMs(): number {
    return this.options.maxRateWaitMs ?? Math.min(this.config.XERO_MINUTE_MS, 10_000);
  }

  private budget(tenantId: string): Promise<OrgRateBudget> {
    let b = this.budgets.get(tenantId);
    if (!b) {
      b = (async () => {
        const budget = new OrgRateBudget({
          ...DEFAULT_RATE_BUDGET,
          ...(this.options.rate ?? {}),
          minuteMs: this.config.XERO_MINUTE_MS,
          minuteHeader: this.fleet === undefined,
        });
        budget.syncDayCount(await this.stats.callsOn(tenantId, utcDay(new Date())).catch(() => 0));
        return budget;
      })();
      this.budgets.set(tenantId, b);
    }
    return b;
  }
}

function outOfTime(): XeroError {
  return new CallNotStartedError('the delivery ran out of time before this call; nothing was sent');
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
