import { fromScaled, roundDiv, toScaled } from './money';

/** Xero's three ways of reading line amounts. */
export type LineAmountType = 'Exclusive' | 'Inclusive' | 'NoTax';

/** What a client sent for one line, plus the tax rate its TaxType resolves to. */
export interface LineInput {
  Quantity?: number;
  UnitAmount?: number;
  LineAmount?: number;
  DiscountRate?: number;
  DiscountAmount?: number;
  /** Percent, e.g. 15 for 15% GST. */
  taxRatePercent: number;
}

/** A line as Xero stores and returns it. */
export interface ComputedLine {
  Quantity: number;
  UnitAmount: number;
  LineAmount: number;
  TaxAmount: number;
  /** Gross (quantity × unit) minus LineAmount, at 2 dp: what TotalDiscount sums. */
  discount: number;
}

export interface DocumentTotals {
  SubTotal: number;
  TotalTax: number;
  Total: number;
  TotalDiscount: number;
}

const Q_DP = 4;
const HUNDRED_PCT = 100n * 10n ** 4n; // 100% scaled by 10^4

/**
 * Computes one line the way Xero does:
 * LineAmount = round2(Quantity × UnitAmount − discount) where the discount is DiscountRate percent of the gross
 * or a DiscountAmount; TaxAmount = round2(LineAmount × rate) for Exclusive, round2(LineAmount − LineAmount/(1+rate))
 * for Inclusive, 0 for NoTax. UnitAmount is first rounded to `unitDp` (2 unless the request said unitdp=4), which is
 * how Xero treats extra decimals it was not asked to keep.
 */
export function computeLine(input: LineInput, lineAmountTypes: LineAmountType, unitDp: 2 | 4): ComputedLine {
  let quantity = input.Quantity;
  let unit = input.UnitAmount;
  if (unit === undefined && input.LineAmount !== undefined) {
    quantity ??= 1;
    unit = quantity === 0 ? 0 : fromScaled(roundDiv(toScaled(input.LineAmount, 8), toScaled(quantity, 4)), 4);
  }
  if (quantity === undefined && unit !== undefined && input.LineAmount !== undefined && unit !== 0) {
    quantity = fromScaled(roundDiv(toScaled(input.LineAmount, 8), toScaled(unit, 4)), 4);
  }
  quantity ??= 1;
  unit ??= 0;
  const qS = toScaled(quantity, Q_DP);
  const uS = toScaled(fromScaled(toScaled(unit, unitDp), unitDp), 4);
  const gross8 = qS * uS; // scaled 10^8
  let net8 = gross8;
  if (input.DiscountRate !== undefined && input.DiscountRate !== 0) {
    net8 = roundDiv(gross8 * (HUNDRED_PCT - toScaled(input.DiscountRate, 4)), HUNDRED_PCT);
  } else if (input.DiscountAmount !== undefined && input.DiscountAmount !== 0) {
    net8 = gross8 - toScaled(input.DiscountAmount, 8);
  }
  const lineCents = roundDiv(net8, 10n ** 6n);
  const grossCents = roundDiv(gross8, 10n ** 6n);
  const rate = toScaled(input.taxRatePercent, 4);
  let taxCents: bigint;
  switch (lineAmountTypes) {
    case 'Exclusive':
      taxCents = roundDiv(lineCents * rate, HUNDRED_PCT);
      break;
    case 'Inclusive':
      taxCents = roundDiv(lineCents * rate, HUNDRED_PCT + rate);
      break;
    case 'NoTax':
      taxCents = 0n;
      break;
  }
  return {
    Quantity: fromScaled(qS, Q_DP),
    UnitAmount: fromScaled(toScaled(unit, unitDp), unitDp),
    LineAmount: fromScaled(lineCents, 2),
    TaxAmount: fromScaled(taxCents, 2),
    discount: fromScaled(grossCents - lineCents, 2),
  };
}

/**
 * Sums lines into document totals. Tax is rounded per line before summing (never on the total), which is why a
 * store that rounds tax on the order total can differ from Xero by a cent.
 */
export function computeTotals(lines: ComputedLine[], lineAmountTypes: LineAmountType): DocumentTotals {
  let lineSum = 0n;
  let taxSum = 0n;
  let discount = 0n;
  for (const l of lines) {
    lineSum += toScaled(l.LineAmount, 2);
    taxSum += toScaled(l.TaxAmount, 2);
    discount += toScaled(l.discount, 2);
  }
  const inclusive = lineAmountTypes === 'Inclusive';
  const subTotal = inclusive ? lineSum - taxSum : lineSum;
  const total = inclusive ? lineSum : lineSum + taxSum;
  return {
    SubTotal: fromScaled(subTotal, 2),
    TotalTax: fromScaled(taxSum, 2),
    Total: fromScaled(total, 2),
    TotalDiscount: fromScaled(discount, 2),
  };
}
