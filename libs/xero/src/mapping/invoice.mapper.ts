import { MagentoOrder, MagentoOrderItem } from '@xero-sync/contracts';
import { XeroMappingSettings } from '@xero-sync/persistence';
import { appliedFacts, appliedTaxesOf, tendersOf } from './applied-taxes';
import { closeResidue } from './document-total';
import { cents, fromCents } from './money';
import { TaxChoice, taxForLine } from './tax';
import { itemCodeFor } from './item.mapper';
import { itemFigures, itemStoreLine, MappedLine, mapStoreLine, StoreLine } from './store-line';
import { addDays, storeCurrencyRate, storeDay } from './store-day';
import { LineOutcome } from './xero-totals';
import { MappedTotals, XeroContactRef, XeroInvoiceJson, XeroLineJson } from './xero-documents';

/** YYYY-MM-DD of a Magento date-time on the store's local day (Magento stores UTC). */
export function dateOf(magentoDate: string, timeZone = 'UTC'): string {
  return storeDay(magentoDate, timeZone);
}

export { addDays };

/**
 * Lines that carry money. A parent whose children carry the money (a dynamically priced bundle: each child is
 * priced and taxed) is replaced by its children; a parent whose children carry none (a configurable, a fixed-price
 * bundle) is the line itself.
 */
export function billableItems(order: MagentoOrder): MagentoOrderItem[] {
  const pricedChildren = new Set<number>();
  for (const i of order.items)
    if (i.parent_item_id && (i.row_total || i.tax_amount)) pricedChildren.add(i.parent_item_id);
  return order.items.filter((i) =>
    i.parent_item_id ? pricedChildren.has(i.parent_item_id) : !pricedChildren.has(i.item_id),
  );
}

export function invoiceNumberFor(mapping: XeroMappingSettings, orderIncrementId: string): string {
  return `${mapping.prefixes.invoice}${orderIncrementId}`;
}

/** Xero invoice status for a (non-canceled) order state, per the store's rules. */
export function invoiceStatusFor(mapping: XeroMappingSettings, state: string): 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' {
  return mapping.statusRules[state] ?? 'DRAFT';
}

/** The Xero tax type a store line was posted with, and how many store tax rates it stands for. */
export interface LineTax {
  taxType: string;
  rates: number;
}

export interface InvoiceMappingContext {
  contact: XeroContactRef;
  /** SKU → Item Code (as linked); defaults to the derived code. */
  itemCode?: (sku: string) => string;
  invoiceId?: string;
}

export interface MappedInvoice {
  body: XeroInvoiceJson;
  totals: MappedTotals;
  /** What the log should say besides OK (e.g. a tax rate inferred because the payload named none). */
  notes: string[];
  /** The tax type (and how many store rates made it) each order line was posted with, for its credit notes. */
  lineTaxTypes: Record<string, LineTax>;
}

/**
 * Order → ACCREC invoice. Each item line carries the store's own amount after discount and its own tax (as
 * TaxAmount where Xero would round otherwise), with the Xero tax type of the rates the store applied; shipping
 * the same; LineAmountTypes from the store's tax display; the order currency; the store's local day; status from
 * the order state. Whatever is left between the lines and the grand total is a capped rounding residue or an
 * error naming the gap (closeResidue).
 */
export function mapOrderInvoice(
  order: MagentoOrder,
  mapping: XeroMappingSettings,
  ctx: InvoiceMappingContext,
): MappedInvoice {
  const types = mapping.lineAmountTypes;
  const lines: XeroLineJson[] = [];
  const outcomes: LineOutcome[] = [];
  const notes: string[] = [];
  const lineTaxTypes: Record<string, LineTax> = {};
  const applied = appliedTaxesOf(order);
  const codeOf = ctx.itemCode ?? itemCodeFor;
  const add = (m: MappedLine) => {
    lines.push(...m.lines);
    outcomes.push(...m.outcomes);
  };
  let itemDiscounts = 0n;
  for (const item of billableItems(order)) {
    const what = `item ${item.sku}`;
    const figures = itemFigures(item);
    itemDiscounts += figures.discount;
    const appliedRates = applied.items.get(item.item_id);
    const choice = taxForLine(
      mapping,
      {
        ...appliedFacts(appliedRates),
        percent: item.tax_percent,
        tax: fromCents(figures.tax),
        net: fromCents(figures.net),
      },
      what,
    );
    if (choice.source === 'inferred') notes.push(inferredNote(what, choice.percent));
    const rates = appliedRates?.length ?? 1;
    lineTaxTypes[String(item.item_id)] = { taxType: choice.taxType, rates };
    const line = itemStoreLine(
      item,
      figures,
      {
        quantity: item.qty_ordered,
        inclusive: types === 'Inclusive',
        taxType: choice.taxType,
        taxPercent: choice.percent,
        accountCode: mapping.accounts.sales,
      },
      { itemCode: codeOf(item.sku), rateCount: rates },
    );
    add(mapStoreLine(line, types, mapping, { allowDiscount: true, what }));
  }
  const shipping = shippingLine(
    order,
    itemDiscounts,
    mapping,
    order.shipping_description ? `Shipping: ${order.shipping_description}` : 'Shipping',
    (facts) => {
      const choice = taxForLine(mapping, { ...appliedFacts(applied.shipping), ...facts }, 'shipping');
      if (choice.source === 'inferred') notes.push(inferredNote('shipping', choice.percent));
      return choice;
    },
  );
  if (shipping) {
    lineTaxTypes.shipping = { taxType: shipping.taxType, rates: applied.shipping?.length ?? 1 };
    add(mapStoreLine(shipping, types, mapping, { allowDiscount: true, what: 'shipping' }));
  }
  const totals = closeResidue(
    lines,
    outcomes,
    { total: saleTotal(order), tax: order.tax_amount },
    types,
    mapping,
    `order ${order.increment_id}`,
  );
  const date = dateOf(order.created_at, mapping.timeZone);
  const body: XeroInvoiceJson = {
    ...(ctx.invoiceId ? { InvoiceID: ctx.invoiceId } : {}),
    Type: 'ACCREC',
    InvoiceNumber: invoiceNumberFor(mapping, order.increment_id),
    Reference: order.increment_id,
    Contact: ctx.contact,
    Date: date,
    DueDate: addDays(date, mapping.dueDays),
    LineAmountTypes: types,
    CurrencyCode: order.order_currency_code,
    ...optional('CurrencyRate', storeCurrencyRate(order, order.order_currency_code, mapping.exchangeRates)),
    Status: invoiceStatusFor(mapping, order.state),
    LineItems: lines,
  };
  return { body, totals, notes, lineTaxTypes };
}

/** A finite number a payload may carry beyond its contract's fields (Magento extras such as hidden tax). */
export function numberField(doc: object, field: string): number | undefined {
  const v = (doc as Record<string, unknown>)[field];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function inferredNote(what: string, percent: number): string {
  return `${what}: the payload names no tax rate, so ${percent}% was inferred from its amounts`;
}

/** The figures of a document that decide its shipping line (an order, a store invoice or a credit memo). */
export interface ShippingFigures {
  shipping_amount?: number | null;
  shipping_tax_amount?: number | null;
  shipping_incl_tax?: number | null;
  discount_amount?: number | null;
  shipping_description?: string | null;
}

/**
 * The shipping line as the store charged (or refunded) it, or none. Its discount is the one Magento states
 * (shipping_discount_amount), or for older payloads what the document's discount exceeds its lines' by; its
 * tax type comes from `choose`, which knows what the document says about the shipping rate.
 */
export function shippingLine(
  doc: ShippingFigures,
  itemDiscounts: bigint,
  mapping: XeroMappingSettings,
  description: string,
  choose: (facts: { tax: number; net: number }) => TaxChoice,
): StoreLine | undefined {
  const amount = cents(doc.shipping_amount ?? 0);
  const tax = cents(doc.shipping_tax_amount ?? 0);
  if (amount === 0n && tax === 0n) return undefined;
  const stated = numberField(doc, 'shipping_discount_amount');
  const docDiscount = cents(Math.abs(doc.discount_amount ?? 0));
  const discount =
    stated !== undefined ? cents(stated) : docDiscount > itemDiscounts ? docDiscount - itemDiscounts : 0n;
  const hidden = cents(
    numberField(doc, 'shipping_discount_tax_compensation_amount') ??
      numberField(doc, 'shipping_discount_tax_compensation_amnt') ??
      0,
  );
  const net = amount - discount + hidden;
  const choice = choose({ tax: fromCents(tax), net: fromCents(net) });
  const inclusive = mapping.lineAmountTypes === 'Inclusive';
  const incl = doc.shipping_incl_tax ?? fromCents(amount + tax + hidden);
  return {
    description,
    quantity: 1,
    unitPrice: inclusive ? incl : (doc.shipping_amount ?? 0),
    discountCents: inclusive ? discount : discount - hidden,
    amountCents: inclusive ? net + tax : net,
    taxCents: tax,
    taxType: choice.taxType,
    taxPercent: choice.percent,
    accountCode: mapping.accounts.shipping,
  };
}

/** `{ [key]: value }` when value is defined, else nothing: optional fields stay out of the body. */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The whole sale (or refund) of a document: its grand total plus what gift cards and store credit paid. */
export function saleTotal(doc: { grand_total: number }): number {
  const t = tendersOf(doc);
  return fromCents(cents(doc.grand_total) + cents(t.giftCards) + cents(t.storeCredit));
}
