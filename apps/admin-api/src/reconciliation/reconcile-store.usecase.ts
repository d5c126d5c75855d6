import { Injectable } from '@nestjs/common';
import type { MagentoCreditMemo, MagentoOrder } from '@xero-sync/contracts';
import { PendingChangeRepository, StoreSettingsRepository, XeroMappingSettings } from '@xero-sync/persistence';
import { XeroReadService } from '@xero-sync/xero';
import { AdminError } from '../http/admin.errors';
import { reconcile, ReconciliationResult, StoreDocument, XeroDocument } from './reconciliation';

/** Numbers per Xero read (`InvoiceNumbers=` / `where` filters stay well under URL limits). */
const NUMBERS_PER_CALL = 40;
const DAY_MS = 86_400_000;

export interface ReconciliationReport extends ReconciliationResult {
  storeId: string;
  tenantId: string;
  from: string;
  to: string;
  storeDocuments: number;
  xeroDocuments: number;
  /** Xero calls this report cost (counted in the org's daily budget). */
  xeroCalls: number;
}

type Json = Record<string, unknown>;
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0)) || 0;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Magento writes "2026-01-05 08:00:00" in UTC; ISO strings pass through. */
function magentoTime(value: string): number {
  const iso = value.includes('T') ? value : value.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
}

/** A rate percent as computed from amounts, snapped to the store's configured rates when within half a point. */
function ratePercent(tax: number, net: number, mapping: XeroMappingSettings): string {
  if (tax === 0 || net === 0) return '0';
  const raw = (tax / net) * 100;
  const known = mapping.taxRates.map((r) => r.percent).find((p) => Math.abs(p - raw) < 0.5);
  return String(known ?? Math.round(raw * 10) / 10);
}

function orderDocument(o: MagentoOrder, mapping: XeroMappingSettings): StoreDocument {
  const taxByRate: Record<string, number> = {};
  const addTax = (rate: string, tax: number) => (taxByRate[rate] = round2((taxByRate[rate] ?? 0) + tax));
  for (const item of o.items) {
    const tax = num(item.tax_amount);
    if (tax !== 0) addTax(String(item.tax_percent ?? ratePercent(tax, num(item.row_total), mapping)), tax);
  }
  if (num(o.shipping_tax_amount) !== 0)
    addTax(ratePercent(num(o.shipping_tax_amount), num(o.shipping_amount), mapping), num(o.shipping_tax_amount));
  return {
    type: 'invoice',
    number: `${mapping.prefixes.invoice}${o.increment_id}`,
    entityId: String(o.entity_id),
    currency: o.order_currency_code,
    total: num(o.grand_total),
    tax: num(o.tax_amount),
    taxByRate,
    cancelled: o.state === 'canceled',
  };
}

function creditMemoDocument(m: MagentoCreditMemo, currency: string, mapping: XeroMappingSettings): StoreDocument {
  const taxByRate: Record<string, number> = {};
  for (const item of m.items) {
    const tax = num(item.tax_amount);
    if (tax === 0) continue;
    const rate = ratePercent(tax, num(item.row_total), mapping);
    taxByRate[rate] = round2((taxByRate[rate] ?? 0) + tax);
  }
  const shippingTax = num(m.shipping_tax_amount);
  if (shippingTax !== 0) {
    const rate = ratePercent(shippingTax, num(m.shipping_amount), mapping);
    taxByRate[rate] = round2((taxByRate[rate] ?? 0) + shippingTax);
  }
  return {
    type: 'creditnote',
    number: `${mapping.prefixes.creditNote}${m.increment_id}`,
    entityId: String(m.entity_id),
    currency: m.order_currency_code ?? currency,
    total: num(m.grand_total),
    tax: num(m.tax_amount),
    taxByRate,
    cancelled: false,
  };
}

function xeroDocument(type: 'invoice' | 'creditnote', d: Json): XeroDocument {
  const taxByType: Record<string, number> = {};
  for (const line of (d.LineItems as Json[] | undefined) ?? []) {
    const taxType = typeof line.TaxType === 'string' ? line.TaxType : 'NONE';
    taxByType[taxType] = round2((taxByType[taxType] ?? 0) + num(line.TaxAmount));
  }
  return {
    type,
    id: String(type === 'invoice' ? d.InvoiceID : d.CreditNoteID),
    number: String(type === 'invoice' ? d.InvoiceNumber : d.CreditNoteNumber),
    status: String(d.Status),
    currency: String(d.CurrencyCode),
    total: num(d.Total),
    totalTax: num(d.TotalTax),
    taxByType,
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reconciliation of a store with its Xero org for a period (by document date): the store side is the last
 * known content of each order and credit memo (kept by the syncer in pending_changes), the Xero side is read by
 * document number through libs/xero within the org's budget. Proves nothing was lost or posted twice.
 */
@Injectable()
export class ReconcileStoreUseCase {
  constructor(
    private readonly records: PendingChangeRepository,
    private readonly settings: StoreSettingsRepository,
    private readonly xero: XeroReadService,
  ) {}

  async execute(storeId: string, from: string, to: string): Promise<ReconciliationReport> {
    const { xeroTenantId: tenantId, mapping } = await this.settings.get(storeId);
    if (!tenantId) throw new AdminError('XERO_NOT_CONNECTED', `store ${storeId} is not bound to a Xero org`);
    const start = Date.parse(`${from}T00:00:00Z`);
    const end = Date.parse(`${to}T00:00:00Z`) + DAY_MS;
    const inPeriod = (created: string) => {
      const t = magentoTime(created);
      return t >= start && t < end;
    };

    const orders = (await this.all(storeId, 'order')) as unknown as MagentoOrder[];
    const currencyOfOrder = new Map(orders.map((o) => [o.entity_id, o.order_currency_code]));
    const memos = (await this.all(storeId, 'creditmemo')) as unknown as MagentoCreditMemo[];
    const storeDocs = [
      ...orders.filter((o) => inPeriod(o.created_at)).map((o) => orderDocument(o, mapping)),
      ...memos
        .filter((m) => inPeriod(m.created_at))
        .map((m) => creditMemoDocument(m, currencyOfOrder.get(m.order_id) ?? 'NZD', mapping)),
    ];

    let calls = 0;
    const xeroDocs: XeroDocument[] = [];
    const invoiceNumbers = storeDocs.filter((d) => d.type === 'invoice').map((d) => d.number);
    const creditNumbers = storeDocs.filter((d) => d.type === 'creditnote').map((d) => d.number);
    for (const batch of chunks(invoiceNumbers, NUMBERS_PER_CALL)) {
      calls++;
      xeroDocs.push(...(await this.xero.invoicesByNumbers(tenantId, batch)).map((d) => xeroDocument('invoice', d)));
    }
    for (const batch of chunks(creditNumbers, NUMBERS_PER_CALL)) {
      calls++;
      xeroDocs.push(
        ...(await this.xero.creditNotesByNumbers(tenantId, batch)).map((d) => xeroDocument('creditnote', d)),
      );
    }
    const taxRates = storeDocs.length > 0 ? await this.xero.taxRates(tenantId) : [];
    if (storeDocs.length > 0) calls++;
    const rateOf = new Map(taxRates.map((t) => [String(t.TaxType), num(t.EffectiveRate ?? t.DisplayTaxRate)]));

    const result = reconcile(storeDocs, xeroDocs, (taxType) => rateOf.get(taxType));
    return {
      storeId,
      tenantId,
      from,
      to,
      storeDocuments: storeDocs.length,
      xeroDocuments: xeroDocs.length,
      xeroCalls: calls,
      ...result,
    };
  }

  private async all(storeId: string, entity: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let page = 1; ; page++) {
      const { items, total } = await this.records.listByStore(storeId, { entity }, { page, pageSize: 500 });
      out.push(...items.map((i) => i.payload));
      if (items.length < 500 || out.length >= total) return out;
    }
  }
}
