import type { MagentoCreditMemo, MagentoInvoice, MagentoOrder } from '@xero-sync/contracts';
import type { XeroMappingSettings } from '@xero-sync/persistence';
import {
  cents,
  creditNoteNumberFor,
  fromCents,
  invoiceNumberFor,
  paymentAccountFor,
  saleTotal,
  tenderPartsOf,
  storeDay,
  appliedTaxesOf,
} from '@xero-sync/xero';
import { StoreDocument, StorePayment, XeroDocument } from './reconciliation';

type Json = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0)) || 0;

/** A rate percent as computed from amounts, snapped to the store's configured rates when within half a point. */
function ratePercent(tax: number, net: number, mapping: XeroMappingSettings): string {
  if (tax === 0 || net === 0) return '0';
  const raw = (tax / net) * 100;
  const known = mapping.taxRates.map((r) => r.percent).find((p) => Math.abs(p - raw) < 0.5);
  return String(known ?? Number(raw.toFixed(1)));
}

/**
 * The rate percents the store says it applied to an order's lines (by order item id) and to its shipping: Magento's
 * applied taxes, else the line's own tax_percent. A credit memo's lines carry no rate of their own, and their tax
 * after a discount is not their row total times the rate, so they take their order line's.
 */
function storeRates(o: MagentoOrder | undefined): { items: Map<number, string>; shipping?: string } {
  const items = new Map<number, string>();
  if (!o) return { items };
  const applied = appliedTaxesOf(o);
  const percentOf = (rates: { percent: number }[]) =>
    String(Number(rates.reduce((a, r) => a + r.percent, 0).toFixed(4)));
  for (const item of o.items) {
    const rates = applied.items.get(Number(item.item_id));
    if (rates?.length) items.set(Number(item.item_id), percentOf(rates));
    else if (item.tax_percent !== undefined && item.tax_percent !== null)
      items.set(Number(item.item_id), String(item.tax_percent));
  }
  return { items, ...(applied.shipping?.length ? { shipping: percentOf(applied.shipping) } : {}) };
}

/** Sums of amounts by key, in exact cents. */
class CentsByKey {
  private readonly sums = new Map<string, bigint>();

  add(key: string, amount: number): void {
    this.sums.set(key, (this.sums.get(key) ?? 0n) + cents(amount));
  }

  toRecord(): Record<string, number> {
    return Object.fromEntries([...this.sums].map(([k, c]) => [k, fromCents(c)]));
  }
}

/**
 * The whole sale in the store's base currency (base grand total plus the base amounts of gift cards and store
 * credit), when the document states all of them.
 */
function baseSale(doc: object): { baseCurrency: string; baseTotal: number } | undefined {
  const d = doc as Json;
  const ext = (d.extension_attributes ?? {}) as Json;
  const field = (name: string) => (typeof ext[name] === 'number' ? ext[name] : d[name]);
  if (typeof d.base_currency_code !== 'string' || typeof d.base_grand_total !== 'number') return undefined;
  let total = cents(d.base_grand_total);
  for (const [tender, base] of [
    ['gift_cards_amount', 'base_gift_cards_amount'],
    ['customer_balance_amount', 'base_customer_balance_amount'],
  ]) {
    const value = field(base);
    if (typeof value === 'number') total += cents(value);
    else if (num(field(tender)) !== 0) return undefined;
  }
  return { baseCurrency: d.base_currency_code, baseTotal: fromCents(total) };
}

/**
 * An order as Xero should hold it: its invoice number, the whole sale (saleTotal), its tax by rate, the store's
 * local day, its currency, and the captured store invoices Xero should hold as payments (those whose payment
 * method is mapped to an account; the others leave the invoice due), with their gift-card and store-credit parts
 * as payments of their own where those tenders have an account.
 */
export function orderDocument(
  o: MagentoOrder,
  mapping: XeroMappingSettings,
  invoices: MagentoInvoice[],
): StoreDocument {
  const taxByRate = new CentsByKey();
  const rates = storeRates(o);
  for (const item of o.items) {
    const tax = num(item.tax_amount);
    if (tax !== 0)
      taxByRate.add(rates.items.get(Number(item.item_id)) ?? ratePercent(tax, num(item.row_total), mapping), tax);
  }
  const shippingTax = num(o.shipping_tax_amount);
  if (shippingTax !== 0)
    taxByRate.add(rates.shipping ?? ratePercent(shippingTax, num(o.shipping_amount), mapping), shippingTax);
  const payments: StorePayment[] = invoices.flatMap((i) => [
    ...(paymentAccountFor(mapping, i.payment_method) !== null
      ? [{ reference: i.increment_id, entityId: String(i.entity_id), amount: num(i.grand_total) }]
      : []),
    ...tenderPartsOf(i, mapping)
      .filter((p) => p.account !== null)
      .map((p) => ({ reference: p.reference, entityId: String(i.entity_id), amount: p.amount })),
  ]);
  return {
    type: 'invoice',
    number: invoiceNumberFor(mapping, o.increment_id),
    entityId: String(o.entity_id),
    currency: o.order_currency_code,
    total: saleTotal(o),
    tax: num(o.tax_amount),
    taxByRate: taxByRate.toRecord(),
    cancelled: o.state === 'canceled',
    date: storeDay(o.created_at, mapping.timeZone),
    ...baseSale(o),
    payments,
  };
}

/**
 * A credit memo as Xero should hold it (its order, when known, gives the rates of its lines and shipping); its refunds (cash, and gift cards and store credit back to their accounts)
 * and allocations must settle it when its method is mapped, but for tender parts without an account (left open).
 */
export function creditMemoDocument(
  m: MagentoCreditMemo,
  order: MagentoOrder | undefined,
  mapping: XeroMappingSettings,
): StoreDocument {
  const taxByRate = new CentsByKey();
  const rates = storeRates(order);
  for (const item of m.items) {
    const tax = num(item.tax_amount);
    if (tax !== 0)
      taxByRate.add(rates.items.get(Number(item.order_item_id)) ?? ratePercent(tax, num(item.row_total), mapping), tax);
  }
  const shippingTax = num(m.shipping_tax_amount);
  if (shippingTax !== 0)
    taxByRate.add(rates.shipping ?? ratePercent(shippingTax, num(m.shipping_amount), mapping), shippingTax);
  return {
    type: 'creditnote',
    number: creditNoteNumberFor(mapping, m.increment_id),
    entityId: String(m.entity_id),
    currency: m.order_currency_code ?? order?.order_currency_code ?? 'NZD',
    total: saleTotal(m),
    tax: num(m.tax_amount),
    taxByRate: taxByRate.toRecord(),
    cancelled: false,
    date: storeDay(m.created_at, mapping.timeZone),
    ...baseSale(m),
    settles: paymentAccountFor(mapping, m.payment_method) !== null,
    leftOpen: fromCents(
      tenderPartsOf(m, mapping)
        .filter((p) => p.account === null)
        .reduce((acc, p) => acc + cents(p.amount), 0n),
    ),
  };
}

/** Xero's day fields: `DateString` ("2026-01-31T00:00:00") or the MS date ("/Date(1769817600000+0000)/"). */
export function xeroDay(d: Json, field: string): string | undefined {
  const s = d[`${field}String`];
  if (typeof s === 'string' && /^\d{4}-\d{2}-\d{2}/.test(s)) return s.slice(0, 10);
  const v = d[field];
  if (typeof v !== 'string') return undefined;
  const ms = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(v);
  if (ms) return new Date(Number(ms[1])).toISOString().slice(0, 10);
  return /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : undefined;
}

/** A Xero invoice or credit note (raw JSON of the read API) in the fields reconciliation compares. */
export function xeroDocument(type: 'invoice' | 'creditnote', d: Json): XeroDocument {
  const taxByType = new CentsByKey();
  for (const line of (d.LineItems as Json[] | undefined) ?? []) {
    taxByType.add(typeof line.TaxType === 'string' ? line.TaxType : 'NONE', num(line.TaxAmount));
  }
  const payments = ((d.Payments as Json[] | undefined) ?? []).map((p) => ({
    ...(typeof p.Reference === 'string' ? { reference: p.Reference } : {}),
    amount: num(p.Amount),
  }));
  const allocations = (d.Allocations as Json[] | undefined) ?? [];
  const rate = num(d.CurrencyRate);
  return {
    type,
    id: String(type === 'invoice' ? d.InvoiceID : d.CreditNoteID),
    number: String(type === 'invoice' ? d.InvoiceNumber : d.CreditNoteNumber),
    status: String(d.Status),
    currency: String(d.CurrencyCode),
    total: num(d.Total),
    totalTax: num(d.TotalTax),
    taxByType: taxByType.toRecord(),
    date: xeroDay(d, 'Date'),
    ...(rate > 0 ? { currencyRate: rate } : {}),
    payments,
    ...(type === 'creditnote'
      ? { allocated: fromCents(allocations.reduce((acc, a) => acc + cents(num(a.Amount)), 0n)) }
      : {}),
  };
}
