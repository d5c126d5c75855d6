import { AccountingApi } from 'xero-node';
import { AppConfig } from '@xero-sync/config';
import { xeroBudgetRemaining, xeroCallDuration, xeroCalls } from '@xero-sync/observability';
import { RequestStatsRepository, utcDay } from '@xero-sync/persistence';
import { BreakerStateName, DEFAULT_BREAKER, OrgBreakers } from '../breaker/org-breakers';
import { DEFAULT_RATE_BUDGET, OrgRateBudget } from '../limiter/org-rate-budget';
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

/**
 * The request/answer plumbing behind XeroAccountingClient's endpoint methods. Each call: breaker check → rate
 * slot (per-org budget) → access token → the SDK call (basePath from XERO_API_URL, with a timeout) → quota
 * headers fed back to the budget → counted in request_stats and metrics. Rejections (xero-node's JSON strings)
 * become XeroError codes; a 401 refreshes the token once and retries.
 */
export class XeroCallRunner {
  private readonly budgets = new Map<string, Promise<OrgRateBudget>>();
  private readonly breakers: OrgBreakers;
  /** Longest one request may take (the SDK call's timeout). */
  readonly timeoutMs: number;
  private readonly pendingStats = new Set<Promise<void>>();
  private statsChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: XeroConnectionService,
    private readonly stats: RequestStatsRepository,
    private readonly options: XeroModuleOptions,
  ) {
    const breaker = { ...DEFAULT_BREAKER, ...(options.breaker ?? {}) };
    this.breakers = new OrgBreakers(breaker);
    this.timeoutMs = breaker.timeoutMs;
  }

  /** Stops the breakers' timers. */
  shutdown(): void {
    this.breakers.shutdown();
  }

  breakerStates(): Record<string, BreakerStateName> {
    return this.breakers.states();
  }

  breakerState(tenantId: string): BreakerStateName {
    return this.breakers.state(tenantId);
  }

  async callsToday(tenantId: string): Promise<number> {
    return (await this.budget(tenantId)).callsToday;
  }

  async flushStats(): Promise<void> {
    await Promise.all([...this.pendingStats]);
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
    const permit = await budget.acquire(ctx.priority, ctx.lane, ctx.maxWaitMs ?? this.maxWaitMs());
    if (ctx.signal?.aborted) {
      // The slot waited for is given back unused (it still counts as spent: conservative, never a 429).
      permit.release();
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
      budget.observe({
        dayRemaining: num(headers['x-daylimit-remaining']),
        minuteRemaining: num(headers['x-minlimit-remaining']),
        limited: status === 429,
        retryAfterMs: status === 429 ? retryAfterMs(headers) : undefined,
        problem: headers['x-rate-limit-problem'],
      });
      xeroBudgetRemaining.set({ org: tenantId }, budget.dayRemaining);
      if (called) this.record(tenantId, endpoint, status, headers, started);
    }
  }

  private record(
    tenantId: string,
    endpoint: string,
    status: number,
    headers: Record<string, string>,
    started: number,
  ): void {
    xeroCalls.inc({ org: tenantId, endpoint, status: String(status) });
    xeroCallDuration.observe({ endpoint }, (Date.now() - started) / 1000);
    const call = {
      tenantId,
      endpoint,
      status,
      at: new Date(),
      dayRemaining: num(headers['x-daylimit-remaining']),
      minuteRemaining: num(headers['x-minlimit-remaining']),
      appMinuteRemaining: num(headers['x-appminlimit-remaining']),
    };
    // One write at a time: FerretDB applies $inc as read-modify-write, so concurrent increments can be lost.
    const write: Promise<void> = this.statsChain
      .then(() => this.stats.recordCall(call))
      .catch(() => undefined)
      .finally(() => this.pendingStats.delete(write));
    this.statsChain = write;
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
