import { MagentoCreditMemo } from '@xero-sync/contracts';
import { XeroMappingSettings } from '@xero-sync/persistence';
import { roundTo, sumMoney } from './money';
import { nearestMappedPercent, percentOfTaxType, taxTypeForPercent } from './tax';
import { addRoundingLine, dateOf } from './invoice.mapper';
import { LineOutcome, xeroLine } from './xero-totals';
import { MappedTotals, XeroContactRef, XeroCreditNoteJson, XeroLineJson } from './xero-documents';

export function creditNoteNumberFor(mapping: XeroMappingSettings, memoIncrementId: string): string {
  return `${mapping.prefixes.creditNote}${memoIncrementId}`;
}

export interface MappedCreditNote {
  body: XeroCreditNoteJson;
  totals: MappedTotals;
}

/**
 * Credit memo → ACCRECCREDIT credit note (always AUTHORISED, so it can be allocated or refunded). Credit notes
 * take no discounts, so each line carries its net refunded amount; adjustment refunds and fees become no-tax
 * lines; a rounding line makes the total equal the refund to the cent.
 */
export function mapCreditMemoCreditNote(
  memo: MagentoCreditMemo,
  mapping: XeroMappingSettings,
  ctx: {
    contact: XeroContactRef;
    currencyCode?: string;
    /** Item codes for the lines; omitted, lines carry descriptions only (stable across runs). */
    itemCode?: (sku: string) => string;
    creditNoteId?: string;
  },
): MappedCreditNote {
  const types = mapping.lineAmountTypes;
  const lines: XeroLineJson[] = [];
  const outcomes: LineOutcome[] = [];
  const push = (line: XeroLineJson) => {
    lines.push(line);
    outcomes.push(xeroLine(line, percentOfTaxType(mapping, line.TaxType), types));
  };
  for (const item of memo.items) {
    if (!item.qty) continue;
    const discount = item.discount_amount ?? 0;
    const netExcl = item.row_total - discount;
    const declared = (item as { tax_percent?: unknown }).tax_percent;
    const pct =
      typeof declared === 'number'
        ? declared
        : nearestMappedPercent(mapping, item.tax_amount ?? 0, netExcl, `credit memo item ${item.sku}`);
    const gross =
      types === 'Inclusive'
        ? (item.row_total_incl_tax ?? sumMoney([item.row_total, item.tax_amount ?? 0])) - discount
        : netExcl;
    push({
      Description: item.name ?? item.sku,
      Quantity: item.qty,
      UnitAmount: roundTo(gross / item.qty, 4),
      ...(ctx.itemCode ? { ItemCode: ctx.itemCode(item.sku) } : {}),
      AccountCode: mapping.accounts.sales,
      TaxType: taxTypeForPercent(mapping, pct, `credit memo item ${item.sku}`),
    });
  }
  const shipNet = memo.shipping_amount ?? 0;
  const shipTax = memo.shipping_tax_amount ?? 0;
  if (shipNet !== 0 || shipTax !== 0) {
    const pct = nearestMappedPercent(mapping, shipTax, shipNet, 'refunded shipping');
    const unit = types === 'Inclusive' ? (memo.shipping_incl_tax ?? sumMoney([shipNet, shipTax])) : shipNet;
    push({
      Description: 'Shipping refund',
      Quantity: 1,
      UnitAmount: roundTo(unit, 4),
      AccountCode: mapping.accounts.shipping,
      TaxType: taxTypeForPercent(mapping, pct, 'refunded shipping'),
    });
  }
  if (memo.adjustment_positive) {
    push({
      Description: 'Adjustment refund',
      Quantity: 1,
      UnitAmount: roundTo(memo.adjustment_positive, 2),
      AccountCode: mapping.accounts.adjustments,
      TaxType: mapping.noTaxType,
    });
  }
  if (memo.adjustment_negative) {
    push({
      Description: 'Adjustment fee',
      Quantity: 1,
      UnitAmount: -roundTo(memo.adjustment_negative, 2),
      AccountCode: mapping.accounts.adjustments,
      TaxType: mapping.noTaxType,
    });
  }
  const totals = addRoundingLine(lines, outcomes, memo.grand_total, types, mapping);
  const body: XeroCreditNoteJson = {
    ...(ctx.creditNoteId ? { CreditNoteID: ctx.creditNoteId } : {}),
    Type: 'ACCRECCREDIT',
    CreditNoteNumber: creditNoteNumberFor(mapping, memo.increment_id),
    Reference: memo.order_increment_id ?? String(memo.order_id),
    Contact: ctx.contact,
    Date: dateOf(memo.created_at),
    LineAmountTypes: types,
    CurrencyCode: memo.order_currency_code ?? ctx.currencyCode ?? 'NZD',
    Status: 'AUTHORISED',
    LineItems: lines,
  };
  return { body, totals };
}
