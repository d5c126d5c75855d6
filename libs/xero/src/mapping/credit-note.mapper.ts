import { MagentoCreditMemo } from '@xero-sync/contracts';
import { XeroMappingSettings } from '@xero-sync/persistence';
import { XeroError } from '../xero.errors';
import { tendersOf } from './applied-taxes';
import { closeResidue } from './document-total';
import { cents, fromCents } from './money';
import { percentOfTaxType, TaxChoice, taxForLine } from './tax';
import { dateOf, inferredNote, LineTax, numberField, optional, saleTotal, shippingLine } from './invoice.mapper';
import { storeCurrencyRate } from './store-day';
import { itemFigures, itemStoreLine, MappedLine, mapStoreLine } from './store-line';
import { LineOutcome } from './xero-totals';
import { MappedTotals, XeroContactRef, XeroCreditNoteJson, XeroLineJson } from './xero-documents';

export function creditNoteNumberFor(mapping: XeroMappingSettings, memoIncrementId: string): string {
  return `${mapping.prefixes.creditNote}${memoIncrementId}`;
}

export interface MappedCreditNote {
  body: XeroCreditNoteJson;
  totals: MappedTotals;
  notes: string[];
}

export interface CreditNoteMappingContext {
  contact: XeroContactRef;
  /** The order's currency, from its Xero invoice, for memos that do not state theirs. */
  currencyCode?: string;
  /** The order's increment id, for memos that do not state it. */
  orderIncrementId?: string;
  /** The tax type the order line (by order item id, or "shipping") was invoiced with. */
  orderLineTaxType?: (orderItemId: string) => LineTax | undefined;
  /** Item codes for the lines; omitted, lines carry descriptions only (stable across runs). */
  itemCode?: (sku: string) => string;
  creditNoteId?: string;
}

/**
 * Credit memo → ACCRECCREDIT credit note (always AUTHORISED, so it can be allocated or refunded). Each refunded
 * line carries the store's refunded amount and tax at the tax type its order line was invoiced with (credit notes
 * take no discounts, so the amount is net of the line's discount); refunded shipping likewise; adjustment
 * refunds and fees are no-tax lines; a capped rounding residue at most (closeResidue).
 */
export function mapCreditMemoCreditNote(
  memo: MagentoCreditMemo,
  mapping: XeroMappingSettings,
  ctx: CreditNoteMappingContext,
): MappedCreditNote {
  const types = mapping.lineAmountTypes;
  const inclusive = types === 'Inclusive';
  const lines: XeroLineJson[] = [];
  const outcomes: LineOutcome[] = [];
  const notes: string[] = [];
  const add = (m: MappedLine) => {
    lines.push(...m.lines);
    outcomes.push(...m.outcomes);
  };
  const label = `credit memo ${memo.increment_id}`;
  refuseNegativeRefund(memo, label);
  // A refunded line takes the tax type its order line was invoiced with; only without one is it looked up.
  const taxOf = (
    orderLine: string,
    facts: { percent?: unknown; tax: bigint; net: bigint },
    what: string,
  ): TaxChoice & { rates?: number } => {
    const invoiced = ctx.orderLineTaxType?.(orderLine);
    if (invoiced) {
      const percent = percentOfTaxType(mapping, invoiced.taxType);
      return { taxType: invoiced.taxType, percent, source: 'declared', rates: invoiced.rates };
    }
    const choice = taxForLine(
      mapping,
      {
        percent: typeof facts.percent === 'number' ? facts.percent : undefined,
        tax: fromCents(facts.tax),
        net: fromCents(facts.net),
      },
      what,
    );
    if (choice.source === 'inferred') notes.push(inferredNote(what, choice.percent));
    return choice;
  };
  let itemDiscounts = 0n;
  for (const item of memo.items) {
    if (!item.qty) continue;
    const what = `${label} item ${item.sku}`;
    const figures = itemFigures(item);
    itemDiscounts += figures.discount;
    const facts = { percent: numberField(item, 'tax_percent'), tax: figures.tax, net: figures.net };
    const t = taxOf(String(item.order_item_id), facts, what);
    const line = itemStoreLine(
      item,
      figures,
      {
        quantity: item.qty,
        inclusive,
        taxType: t.taxType,
        taxPercent: t.percent,
        accountCode: mapping.accounts.sales,
      },
      { itemCode: ctx.itemCode?.(item.sku), rateCount: t.rates, prorated: true },
    );
    add(mapStoreLine(line, types, mapping, { allowDiscount: false, what }));
  }
  let shippingRates: number | undefined;
  const shipping = shippingLine(memo, itemDiscounts, mapping, 'Shipping refund', (facts) => {
    const t = taxOf('shipping', { tax: cents(facts.tax), net: cents(facts.net) }, `${label} refunded shipping`);
    shippingRates = t.rates;
    return t;
  });
  if (shipping) {
    const refunded = { ...shipping, rateCount: shippingRates, prorated: true };
    add(mapStoreLine(refunded, types, mapping, { allowDiscount: false, what: `${label} refunded shipping` }));
  }
  for (const [amount, description, sign] of [
    [memo.adjustment_positive, 'Adjustment refund', 1n],
    [memo.adjustment_negative, 'Adjustment fee', -1n],
  ] as const) {
    if (!amount) continue;
    const c = cents(amount) * sign;
    const line: XeroLineJson = {
      Description: description,
      Quantity: 1,
      UnitAmount: fromCents(c),
      AccountCode: mapping.accounts.adjustments,
      TaxType: mapping.noTaxType,
    };
    lines.push(line);
    outcomes.push({ lineCents: c, taxCents: 0n });
  }
  const totals = closeResidue(lines, outcomes, { total: saleTotal(memo), tax: memo.tax_amount }, types, mapping, label);
  const currency = memo.order_currency_code ?? ctx.currencyCode;
  if (!currency) {
    throw new XeroError('VALIDATION', `${label} states no currency and its order's invoice is not in Xero yet`);
  }
  const orderNumber = memo.order_increment_id ?? ctx.orderIncrementId;
  if (!orderNumber) {
    throw new XeroError('VALIDATION', `${label} states no order number and its order's invoice is not in Xero yet`);
  }
  const body: XeroCreditNoteJson = {
    ...(ctx.creditNoteId ? { CreditNoteID: ctx.creditNoteId } : {}),
    Type: 'ACCRECCREDIT',
    CreditNoteNumber: creditNoteNumberFor(mapping, memo.increment_id),
    Reference: orderNumber,
    Contact: ctx.contact,
    Date: dateOf(memo.created_at, mapping.timeZone),
    LineAmountTypes: types,
    CurrencyCode: currency,
    ...optional('CurrencyRate', storeCurrencyRate(memo, currency, mapping.exchangeRates)),
    Status: 'AUTHORISED',
    LineItems: lines,
  };
  return { body, totals, notes };
}

/**
 * A memo never refunds a negative amount, in all or in any part: Magento refuses a memo whose Adjustment Fee exceeds
 * what it refunds, and Xero refuses a credit note whose total is below zero. Such a payload is refused here, naming
 * its figures, before anything is posted, rather than posted as a credit note with negative credit.
 */
function refuseNegativeRefund(memo: MagentoCreditMemo, label: string): void {
  const tenders = tendersOf(memo);
  const parts: [string, number][] = [
    ['grand total', memo.grand_total],
    ['gift cards', tenders.giftCards],
    ['store credit', tenders.storeCredit],
  ];
  if (parts.every(([, amount]) => cents(amount) >= 0n)) return;
  const figures = parts.map(([name, amount]) => `${name} ${amount}`).join(', ');
  throw new XeroError('VALIDATION', `${label} refunds a negative amount (${figures}, in all ${saleTotal(memo)})`);
}
