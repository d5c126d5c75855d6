import { Inject, Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { ObjectSerializer } from 'xero-node';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { BudgetSlotRepository, RequestStatsRepository } from '@xero-sync/persistence';
import { BreakerStateName } from '../breaker/org-breakers';
import { XeroConnectionService } from '../tokens/xero-connection.service';
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
import { XeroCallRunner } from './xero-call-runner';
import { CallContext, CallOutcome, Json, SdkCall, XeroElement } from './xero-call.types';

export type { CallClass, CallContext, CallOutcome, XeroElement } from './xero-call.types';

/**
 * The one adapter around xero-node's AccountingApi: every positional signature of the SDK (v20) lives here, so
 * an SDK bump touches only this file. Writes go with summarizeErrors=false (per-element results), amounts with
 * unitdp=4, and each write carries its Idempotency-Key. How a call is made (breaker, per-org rate budget, token,
 * timeout, quota headers, request_stats) is XeroCallRunner's.
 */
@Injectable()
export class XeroAccountingClient implements OnModuleDestroy {
  private readonly runner: XeroCallRunner;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    tokens: XeroConnectionService,
    stats: RequestStatsRepository,
    @Optional() @Inject(XERO_OPTIONS) options: XeroModuleOptions = {},
    @Optional() slots?: BudgetSlotRepository,
  ) {
    this.runner = new XeroCallRunner(config, tokens, stats, options, slots);
  }

  /** Writes the call counts still gathering (for at most two seconds: a database that is away loses them). */
  async onModuleDestroy(): Promise<void> {
    this.runner.shutdown();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, 2_000)));
    await Promise.race([this.runner.flushStats().catch(() => undefined), bound]);
    clearTimeout(timer);
  }

  /** Breaker state per org (for health and the dashboard); 'open' also while another process has it open. */
  breakerStates(): Record<string, BreakerStateName> {
    return this.runner.breakerStates();
  }

  /** Orgs whose breaker any process has open now, read from the fleet budget (for /health). */
  fleetOpenBreakers(): Promise<string[]> {
    return this.runner.fleetOpenBreakers();
  }

  /** Longest one request may take (the SDK call's timeout). */
  get requestTimeoutMs(): number {
    return this.runner.timeoutMs;
  }

  breakerState(tenantId: string): BreakerStateName {
    return this.runner.breakerState(tenantId);
  }

  /** Calls counted today for an org by this process's budget (seeded from the shared daily counter). */
  callsToday(tenantId: string): Promise<number> {
    return this.runner.callsToday(tenantId);
  }

  /** Resolves when every started request_stats write has finished (tests, shutdown). */
  flushStats(): Promise<void> {
    return this.runner.flushStats();
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
    return this.elements<Json>(tenantId, 'GET_Contacts', ctx, 'Contacts', (api, t, h) =>
      api.getContacts(t, undefined, where, undefined, undefined, undefined, true, undefined, undefined, undefined, h),
    );
  }

  async getContactsByName(tenantId: string, name: string, ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.elements<Json>(tenantId, 'GET_Contacts', ctx, 'Contacts', (api, t, h) =>
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
    return this.elements<Json>(tenantId, 'GET_Items', ctx, 'Items', (api, t, h) =>
      api.getItems(t, undefined, where, undefined, 4, h),
    );
  }

  async getInvoicesByNumbers(tenantId: string, numbers: string[], ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.elements<Json>(tenantId, 'GET_Invoices', ctx, 'Invoices', (api, t, h) =>
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
    const out = await this.elements<Json>(tenantId, 'GET_Invoices_ID', ctx, 'Invoices', (api, t, h) =>
      api.getInvoice(t, invoiceId, 4, h),
    );
    return { status: out.status, body: out.body[0] };
  }

  async getCreditNotesByNumbers(tenantId: string, numbers: string[], ctx: CallContext): Promise<CallOutcome<Json[]>> {
    const where = numbers.map((n) => `CreditNoteNumber=="${escapeWhere(n)}"`).join(' OR ');
    return this.elements<Json>(tenantId, 'GET_CreditNotes', ctx, 'CreditNotes', (api, t, h) =>
      api.getCreditNotes(t, undefined, where, undefined, 1, 4, 1000, h),
    );
  }

  async getCreditNote(
    tenantId: string,
    creditNoteId: string,
    ctx: CallContext,
  ): Promise<CallOutcome<Json | undefined>> {
    const out = await this.elements<Json>(tenantId, 'GET_CreditNotes_ID', ctx, 'CreditNotes', (api, t, h) =>
      api.getCreditNote(t, creditNoteId, 4, h),
    );
    return { status: out.status, body: out.body[0] };
  }

  async getPaymentsWhere(tenantId: string, where: string, ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.elements<Json>(tenantId, 'GET_Payments', ctx, 'Payments', (api, t, h) =>
      api.getPayments(t, undefined, where, undefined, 1, 1000, h),
    );
  }

  async getAccounts(tenantId: string, ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.elements<Json>(tenantId, 'GET_Accounts', ctx, 'Accounts', (api, t, h) =>
      api.getAccounts(t, undefined, undefined, undefined, h),
    );
  }

  async getTaxRates(tenantId: string, ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.elements<Json>(tenantId, 'GET_TaxRates', ctx, 'TaxRates', (api, t, h) =>
      api.getTaxRates(t, undefined, undefined, h),
    );
  }

  async getCurrencies(tenantId: string, ctx: CallContext): Promise<CallOutcome<Json[]>> {
    return this.elements<Json>(tenantId, 'GET_Currencies', ctx, 'Currencies', (api, t, h) =>
      api.getCurrencies(t, undefined, undefined, h),
    );
  }

  async getOrganisation(tenantId: string, ctx: CallContext): Promise<CallOutcome<Json | undefined>> {
    const out = await this.elements<Json>(tenantId, 'GET_Organisation', ctx, 'Organisations', (api, t, h) =>
      api.getOrganisations(t, h),
    );
    return { status: out.status, body: out.body[0] };
  }

  // ---- answers ----

  /** The array Xero answers under `wrapper` (`Invoices`, `Payments`, …); none is an empty list. */
  private async elements<T extends Json = XeroElement>(
    tenantId: string,
    endpoint: string,
    ctx: CallContext,
    wrapper: string,
    fn: SdkCall,
  ): Promise<CallOutcome<T[]>> {
    const { data, status } = await this.runner.call(tenantId, endpoint, ctx, fn);
    return { status, body: ((data as Json | undefined)?.[wrapper] as T[] | undefined) ?? [] };
  }
}

/** Xero JSON → xero-node model (the SDK serialises its camelCase models back to Xero's PascalCase). */
function des<T>(json: Json, type: string): T {
  return ObjectSerializer.deserialize(json, type) as T;
}

/** Escapes a value for a Xero `where` string literal. */
function escapeWhere(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
