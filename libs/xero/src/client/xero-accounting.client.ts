import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { AccountingApi, ObjectSerializer } from 'xero-node';
import type { AxiosResponse } from 'axios';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { xeroCallDuration, xeroCalls } from '@xero-sync/observability';
import { RequestStatsRepository, utcDay } from '@xero-sync/persistence';
import { BreakerStateName, DEFAULT_BREAKER, OrgBreakers } from '../breaker/org-breakers';
import { CallLane, DEFAULT_RATE_BUDGET, DeliveryPriority, OrgRateBudget } from '../limiter/org-rate-budget';
import { XeroConnectionService } from '../tokens/xero-connection.service';
import {
  CallNotStartedError,
  classifyFailure,
  lowerHeaders,
  parseXeroNodeRejection,
  retryAfterMs,
  XeroError,
} from '../xero.errors';
import { XERO_OPTIONS, XeroModuleOptions } from '../xero.options';
import type {
  XeroAllocationJson,
  XeroContactJson,
  XeroCreditNoteJson,
  XeroInvoiceJson,
  XeroInvoiceStatusJson,
  XeroItemJson,
  XeroPaymentJson,
} from '../mapping/xero-documents';

/** Per-call context: who waits (priority), what for (lane), and the Idempotency-Key of a write. */
export interface CallContext {
  priority: DeliveryPriority;
  lane: CallLane;
  idempotencyKey?: string;
  /** Override of the module's max rate wait for this call. */
  maxWaitMs?: number;
  /** Once aborted, the call is not started (checked after the rate wait, right before the request). */
  signal?: AbortSignal;
}

/** One element of a summarizeErrors=false answer, in Xero's JSON shape. */
export type XeroElement = Record<string, unknown> & {
  StatusAttributeString?: string;
  ValidationErrors?: { Message?: string }[];
  HasErrors?: boolean;
  HasValidationErrors?: boolean;
};

/** What one HTTP call to Xero did (for counting calls per delivery). */
export interface CallOutcome<T> {
  body: T;
  status: number;
}

type Json = Record<string, unknown>;
type Api = AccountingApi;
type ApiResult = { response: AxiosResponse; body: unknown };

/**
 * The one adapter around xero-node's AccountingApi: every positional signature of the SDK (v20) lives here, so
 * an SDK bump touches only this file. Each call: breaker check → rate slot (per-org budget) → access token →
 * the SDK call (basePath from XERO_API_URL, summarizeErrors=false, unitdp=4, Idempotency-Key) → quota headers
 * fed back to the budget → counted in request_stats and metrics. Rejections (xero-node's JSON strings) become
 * XeroError codes; a 401 refreshes the token once and retries.
 */
@Injectable()
export class XeroAccountingClient implements OnModuleDestroy {
  private readonly budgets = new Map<string, Promise<OrgRateBudget>>();
  private readonly breakers: OrgBreakers;
  private readonly timeoutMs: number;
  private readonly pendingStats = new Set<Promise<void>>();
  private statsChain: Promise<void> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: XeroConnectionService,
    private readonly stats: RequestStatsRepository,
    @Optional() @Inject(XERO_OPTIONS) private readonly options: XeroModuleOptions = {},
  ) {
    const breaker = { ...DEFAULT_BREAKER, ...(options.breaker ?? {}) };
    this.breakers = new OrgBreakers(breaker);
    this.timeoutMs = breaker.timeoutMs;
  }

  onModuleDestroy(): void {
    this.breakers.shutdown();
  }

  /** Breaker state per org (for health and the dashboard). */
  breakerStates(): Record<string, BreakerStateName> {
    return this.breakers.states();
  }

  /** Longest one request may take (the SDK call's timeout). */
  get requestTimeoutMs(): number {
    return this.timeoutMs;
  }

  breakerState(tenantId: string): BreakerStateName {
    return this.breakers.state(tenantId);
  }

  /** Calls counted today for an org by this process's budget (seeded from the shared daily counter). */
  async callsToday(tenantId: string): Promise<number> {
    return (await this.budget(tenantId)).callsToday;
  }

  /** Resolves when every started request_stats write has finished (tests, shutdown). */
  async flushStats(): Promise<void> {
    await Promise.all([...this.pendingStats]);
  }

  // ---- writes (all summarizeErrors=false; per-element results) ----

  upsertContacts(tenantId: string, contacts: XeroContactJson[], ctx: CallContext): Promise<CallOutcome<XeroElement[]>> {
    return this.elements(tenantId, 'POST_Contacts', ctx, 'Contacts', (api, t, h) =>
      api.updateOrCreateContacts(t, des({ Contacts: contacts }, 'Contacts'), false, ctx.idempotencyKey, h),
    );
  }

  upsertItems(tenantId: string, items: XeroItemJson[], ctx: CallContext): Promise<CallOutcome<XeroElement[]>> {
    return this.elements(tenantId, 'POST_Items', ctx, 'Items', (api, t, h) =>
      api.updateOrCreateItems(t, des({ Items: items }, 'Items'), false, 4, ctx.idempotencyKey, h),
    );
  }

  upsertInvoices(
    tenantId: string,
    invoices: (XeroInvoiceJson | XeroInvoiceStatusJson)[],
    ctx: CallContext,
  ): Promise<CallOutcome<XeroElement[]>> {
    return this.elements(tenantId, 'POST_Invoices', ctx, 'Invoices', (api, t, h) =>
      api.updateOrCreateInvoices(
        t,
        des({ Invoices: invoices }, 'Invoices'),
        false,
        4,
        ctx.idempotencyKey,
        undefined,
        h,
      ),
    );
  }

  upsertCreditNotes(
    tenantId: string,
    notes: XeroCreditNoteJson[],
    ctx: CallContext,
  ): Promise<CallOutcome<XeroElement[]>> {
    return this.elements(tenantId, 'POST_CreditNotes', ctx, 'CreditNotes', (api, t, h) =>
      api.updateOrCreateCreditNotes(t, des({ CreditNotes: notes }, 'CreditNotes'), false, 4, ctx.idempotencyKey, h),
    );
  }

  createPayments(tenantId: string, payments: XeroPaymentJson[], ctx: CallContext): Promise<CallOutcome<XeroElement[]>> {
    return this.elements(tenantId, 'PUT_Payments', ctx, 'Payments', (api, t, h) =>
      api.createPayments(t, des({ Payments: payments }, 'Payments'), false, ctx.idempotencyKey, h),
    );
  }

  createAllocation(
    tenantId: string,
    creditNoteId: string,
    allocation: XeroAllocationJson,
    ctx: CallContext,
  ): Promise<CallOutcome<XeroElement[]>> {
    return this.elements(tenantId, 'PUT_CreditNotes_Allocations', ctx, 'Allocations', (api, t, h) =>
      api.createCreditNoteAllocation(
        t,
        creditNoteId,
        des({ Allocations: [allocation] }, 'Allocations'),
        false,
        ctx.idempotencyKey,
        h,
      ),
    );
  }

  // ---- reads ----

  async getContactsByNumbers(tenantId: string, numbers: string[], ctx: CallContext): Promise<CallOutcome<Json[]>> {
    const where = numbers.map((n) => `ContactNumber=="${escapeWhere(n)}"`).join(' OR ');
    return this.list(tenantId, 'GET_Contacts', ctx, 'Contacts', (api, t, h) =>
      api.getContacts(t, undefined, where, undefined, undefined, undefined, true, undefined, undefined, undefined, h),
    );
  }

  async getContactsByName(tenantId: string, name: string, ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.list(tenantId, 'GET_Contacts', ctx, 'Contacts', (api, t, h) =>
      api.getContacts(
        t,
        undefined,
        `Name=="${escapeWhere(name)}"`,
        undefined,
        undefined,
        undefined,
        false,
        undefined,
        undefined,
        undefined,
        h,
      ),
    );
  }

  async getItemsByCodes(tenantId: string, codes: string[], ctx: CallContext): Promise<CallOutcome<Json[]>> {
    const where = codes.map((c) => `Code=="${escapeWhere(c)}"`).join(' OR ');
    return this.list(tenantId, 'GET_Items', ctx, 'Items', (api, t, h) =>
      api.getItems(t, undefined, where, undefined, 4, h),
    );
  }

  async getInvoicesByNumbers(tenantId: string, numbers: string[], ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.list(tenantId, 'GET_Invoices', ctx, 'Invoices', (api, t, h) =>
      api.getInvoices(
        t,
        undefined,
        undefined,
        undefined,
        undefined,
        numbers,
        undefined,
        undefined,
        1,
        true,
        undefined,
        4,
        undefined,
        1000,
        undefined,
        h,
      ),
    );
  }

  async getInvoice(tenantId: string, invoiceId: string, ctx: CallContext): Promise<CallOutcome<Json | undefined>> {
    const out = await this.list(tenantId, 'GET_Invoices_ID', ctx, 'Invoices', (api, t, h) =>
      api.getInvoice(t, invoiceId, 4, h),
    );
    return { status: out.status, body: out.body[0] };
  }

  async getCreditNotesByNumbers(tenantId: string, numbers: string[], ctx: CallContext): Promise<CallOutcome<Json[]>> {
    const where = numbers.map((n) => `CreditNoteNumber=="${escapeWhere(n)}"`).join(' OR ');
    return this.list(tenantId, 'GET_CreditNotes', ctx, 'CreditNotes', (api, t, h) =>
      api.getCreditNotes(t, undefined, where, undefined, 1, 4, 1000, h),
    );
  }

  async getCreditNote(
    tenantId: string,
    creditNoteId: string,
    ctx: CallContext,
  ): Promise<CallOutcome<Json | undefined>> {
    const out = await this.list(tenantId, 'GET_CreditNotes_ID', ctx, 'CreditNotes', (api, t, h) =>
      api.getCreditNote(t, creditNoteId, 4, h),
    );
    return { status: out.status, body: out.body[0] };
  }

  async getPaymentsWhere(tenantId: string, where: string, ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.list(tenantId, 'GET_Payments', ctx, 'Payments', (api, t, h) =>
      api.getPayments(t, undefined, where, undefined, 1, 1000, h),
    );
  }

  async getAccounts(tenantId: string, ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.list(tenantId, 'GET_Accounts', ctx, 'Accounts', (api, t, h) =>
      api.getAccounts(t, undefined, undefined, undefined, h),
    );
  }

  async getTaxRates(tenantId: string, ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.list(tenantId, 'GET_TaxRates', ctx, 'TaxRates', (api, t, h) =>
      api.getTaxRates(t, undefined, undefined, h),
    );
  }

  async getOrganisation(tenantId: string, ctx: CallContext): Promise<CallOutcome<Json | undefined>> {
    const out = await this.list(tenantId, 'GET_Organisation', ctx, 'Organisations', (api, t, h) =>
      api.getOrganisations(t, h),
    );
    return { status: out.status, body: out.body[0] };
  }

  // ---- plumbing ----

  private async elements(
    tenantId: string,
    endpoint: string,
    ctx: CallContext,
    wrapper: string,
    fn: (api: Api, tenant: string, headers: { headers: Record<string, string> }) => Promise<ApiResult>,
  ): Promise<CallOutcome<XeroElement[]>> {
    const { data, status } = await this.call(tenantId, endpoint, ctx, fn);
    return { status, body: ((data as Json | undefined)?.[wrapper] as XeroElement[] | undefined) ?? [] };
  }

  private async list(
    tenantId: string,
    endpoint: string,
    ctx: CallContext,
    wrapper: string,
    fn: (api: Api, tenant: string, headers: { headers: Record<string, string> }) => Promise<ApiResult>,
  ): Promise<CallOutcome<Json[]>> {
    const { data, status } = await this.call(tenantId, endpoint, ctx, fn);
    return { status, body: ((data as Json | undefined)?.[wrapper] as Json[] | undefined) ?? [] };
  }

  /** Runs one SDK call under the org's breaker and budget; returns Xero's raw JSON answer. */
  private async call(
    tenantId: string,
    endpoint: string,
    ctx: CallContext,
    fn: (api: Api, tenant: string, headers: { headers: Record<string, string> }) => Promise<ApiResult>,
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
    fn: (api: Api, tenant: string, headers: { headers: Record<string, string> }) => Promise<ApiResult>,
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

/** Xero JSON → xero-node model (the SDK serialises its camelCase models back to Xero's PascalCase). */
function des<T>(json: Json, type: string): T {
  return ObjectSerializer.deserialize(json, type) as T;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** Escapes a value for a Xero `where` string literal. */
function escapeWhere(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
