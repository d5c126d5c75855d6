import { MagentoOrder, MagentoOrderItem } from '@xero-sync/contracts';
import { XeroMappingSettings } from '@xero-sync/persistence';
import { cents, fromCents, roundTo, sumMoney } from './money';
import { nearestMappedPercent, percentOfTaxType, taxTypeForPercent } from './tax';
import { itemCodeFor } from './item.mapper';
import { LineOutcome, xeroLine, xeroTotals } from './xero-totals';
import { MappedTotals, XeroContactRef, XeroInvoiceJson, XeroLineJson } from './xero-documents';

/** YYYY-MM-DD of a Magento date-time (Magento stores UTC). */
export function dateOf(magentoDate: string): string {
  return magentoDate.slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Lines that carry money: children of configurable/bundle items repeat their parent's line. */
export function billableItems(order: MagentoOrder): MagentoOrderItem[] {
  return order.items.filter((i) => !i.parent_item_id);
}

export function invoiceNumberFor(mapping: XeroMappingSettings, orderIncrementId: string): string {
  return `${mapping.prefixes.invoice}${orderIncrementId}`;
}

/** Xero invoice status for a (non-canceled) order state, per the store's rules. */
export function invoiceStatusFor(mapping: XeroMappingSettings, state: string): 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' {
  return mapping.statusRules[state] ?? 'DRAFT';
}

function itemTaxPercent(item: MagentoOrderItem, mapping: XeroMappingSettings): number {
  if (item.tax_percent !== null && item.tax_percent !== undefined) return item.tax_percent;
  const net = item.row_total - (item.discount_amount ?? 0);
  return nearestMappedPercent(mapping, item.tax_amount ?? 0, net, `item ${item.sku}`);
}

/**
 * Closes the gap between Xero's per-line rounding and the store total with a no-tax line to the rounding
 * account, so Xero's Total equals the store's grand total to the cent. Mutates `lines`/`outcomes`.
 */
export function addRoundingLine(
  lines: XeroLineJson[],
  outcomes: LineOutcome[],
  storeTotal: number,
  types: 'Exclusive' | 'Inclusive',
  mapping: XeroMappingSettings,
): MappedTotals {
  const before = xeroTotals(outcomes, types);
  const gap = cents(storeTotal) - cents(before.total);
  let roundingAdjustment = 0;
  if (gap !== 0n && mapping.roundingLine) {
    roundingAdjustment = fromCents(gap);
    const line: XeroLineJson = {
      Description: 'Rounding',
      Quantity: 1,
      UnitAmount: roundingAdjustment,
      AccountCode: mapping.accounts.rounding,
      TaxType: mapping.noTaxType,
    };
    lines.push(line);
    outcomes.push(xeroLine(line, 0, types));
  }
  const after = xeroTotals(outcomes, types);
  return { ...after, storeTotal: roundTo(storeTotal, 2), roundingAdjustment };
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
}

/**
 * Order → ACCREC invoice: one line per billable item (quantity, unit price up to 4 dp, discount, mapped tax
 * type), a shipping line, LineAmountTypes from the store's tax display, the order currency, status from the
 * order state, and a rounding line when Xero's per-line rounding would miss the grand total.
 */
export function mapOrderInvoice(
  order: MagentoOrder,
  mapping: XeroMappingSettings,
  ctx: InvoiceMappingContext,
): MappedInvoice {
  const types = mapping.lineAmountTypes;
  const lines: XeroLineJson[] = [];
  const outcomes: LineOutcome[] = [];
  const push = (line: XeroLineJson) => {
    lines.push(line);
    outcomes.push(xeroLine(line, percentOfTaxType(mapping, line.TaxType), types));
  };
  const codeOf = ctx.itemCode ?? itemCodeFor;
  let itemDiscounts = 0;
  for (const item of billableItems(order)) {
    const pct = itemTaxPercent(item, mapping);
    const unit = types === 'Inclusive' ? (item.price_incl_tax ?? item.price * (1 + pct / 100)) : item.price;
    const discount = roundTo(item.discount_amount ?? 0, 2);
    itemDiscounts += discount;
    push({
      Description: item.name,
      Quantity: item.qty_ordered,
      UnitAmount: roundTo(unit, 4),
      ItemCode: codeOf(item.sku),
      AccountCode: mapping.accounts.sales,
      TaxType: taxTypeForPercent(mapping, pct, `item ${item.sku}`),
      ...(discount !== 0 ? { DiscountAmount: discount } : {}),
    });
  }
  const shippingNet = order.shipping_amount ?? 0;
  const shippingTax = order.shipping_tax_amount ?? 0;
  if (shippingNet !== 0 || shippingTax !== 0) {
    const pct = nearestMappedPercent(mapping, shippingTax, shippingNet, 'shipping');
    const unit =
      types === 'Inclusive' ? (order.shipping_incl_tax ?? sumMoney([shippingNet, shippingTax])) : shippingNet;
    // An order discount larger than the item discounts was applied to shipping.
    const shippingDiscount = roundTo(Math.abs(order.discount_amount ?? 0) - itemDiscounts, 2);
    push({
      Description: order.shipping_description ? `Shipping: ${order.shipping_description}` : 'Shipping',
      Quantity: 1,
      UnitAmount: roundTo(unit, 4),
      AccountCode: mapping.accounts.shipping,
      TaxType: taxTypeForPercent(mapping, pct, 'shipping'),
      ...(shippingDiscount > 0.001 ? { DiscountAmount: shippingDiscount } : {}),
    });
  }
  const totals = addRoundingLine(lines, outcomes, order.grand_total, types, mapping);
  const date = dateOf(order.created_at);
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
    Status: invoiceStatusFor(mapping, order.state),
    LineItems: lines,
  };
  return { body, totals };
}
