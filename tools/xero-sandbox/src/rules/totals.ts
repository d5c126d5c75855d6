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
 * The furthest, in currency units, a client's TaxAmount may sit from the tax Xero computes for the line. Xero's
 * documentation allows an override "if the calculated TaxAmount is not correct" without a bound; one cent is the
 * most a per-line rounding difference can be when both sides round the tax of the same line amount to cents, so the
 * sandbox refuses anything further (Xero has refused a 5-cent gap on bank transactions).
 */
export const TAX_OVERRIDE_TOLERANCE = 0.01;

/** What an override is judged against: the line's tax type, its rate and the document's LineAmountTypes. */
export interface TaxOverrideContext {
  taxType: string;
  /** Percent, e.g. 15 for 15% GST. */
  taxRatePercent: number;
  lineAmountTypes: LineAmountType;
}

/** The line with the client's TaxAmount applied, or the problems that refuse it (the line is then unchanged). */
export interface TaxOverrideResult {
  line: ComputedLine;
  problems: string[];
}

/**
 * Applies a client-supplied TaxAmount to a computed line, as Xero's LineItem.TaxAmount allows. Accepted only when it
 * has at most 2 decimal places and lies within TAX_OVERRIDE_TOLERANCE of the computed tax, is 0 on a NoTax document
 * or a zero-rate tax type, never has the opposite sign to LineAmount and is never larger than it. LineAmount is kept
 * as sent (gross for Inclusive documents, so the net becomes LineAmount − TaxAmount); totals follow from
 * computeTotals. Refusals use Xero's wording for a tax amount it will not accept.
 */
export function applyTaxOverride(
  line: ComputedLine,
  supplied: number | undefined,
  ctx: TaxOverrideContext,
): TaxOverrideResult {
  if (supplied === undefined) return { line, problems: [] };
  // Exactly a cents value: float noise such as 0.30000000000000004 is refused rather than silently rounded.
  if (Number(supplied.toFixed(2)) !== supplied) {
    return { line, problems: [`Tax amount ${supplied} must not have more than 2 decimal places`] };
  }
  const cents = toScaled(supplied, 2);
  const computed = toScaled(line.TaxAmount, 2);
  const lineCents = toScaled(line.LineAmount, 2);
  const zeroRate = ctx.lineAmountTypes === 'NoTax' || ctx.taxRatePercent === 0;
  const gap = cents > computed ? cents - computed : computed - cents;
  const oppositeSign = (cents > 0n && lineCents <= 0n) || (cents < 0n && lineCents >= 0n);
  const larger = (cents < 0n ? -cents : cents) > (lineCents < 0n ? -lineCents : lineCents);
  const ok =
    (zeroRate ? cents === 0n : gap <= toScaled(TAX_OVERRIDE_TOLERANCE, 2)) &&
    (cents === 0n || !oppositeSign) &&
    !larger;
  if (!ok) {
    const expected = fromScaled(computed, 2).toFixed(2);
    return {
      line,
      problems: [
        `Tax amount ${fromScaled(cents, 2).toFixed(2)} is incorrect for ${ctx.taxType} tax type, should be ${expected}`,
      ],
    };
  }
  return { line: { ...line, TaxAmount: fromScaled(cents, 2) }, problems: [] };
}

/**
 * Sums lines into document totals. Tax is rounded per line before summing (never on the total), which is why a
 * store that rounds tax on the order total can differ from Xero by a cent. A line's TaxAmount may be an accepted
 * override (applyTaxOverride); the sums are the same either way.
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
