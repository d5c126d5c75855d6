import { cents, divRound, fromCents, scaled, unscale } from './money';

export type LineAmountTypes = 'Exclusive' | 'Inclusive' | 'NoTax';

/** The fields of a Xero line that decide its amounts. */
export interface XeroLineAmounts {
  Quantity?: number;
  UnitAmount?: number;
  DiscountAmount?: number;
  DiscountRate?: number;
  /** A line tax stated by the sender: Xero keeps it instead of computing its own. */
  TaxAmount?: number;
}

export interface LineOutcome {
  lineCents: bigint;
  taxCents: bigint;
}

export interface XeroDocumentTotals {
  subTotal: number;
  totalTax: number;
  total: number;
}

const PCT_SCALE = 10n ** 4n;

/**
 * One line as Xero computes it: unit price kept to `unitDp` decimals, LineAmount = round2(quantity × unit −
 * discount), tax rounded per line to 2 dp: LineAmount × rate (Exclusive) or LineAmount × rate / (1 + rate)
 * (Inclusive), none for NoTax; a stated TaxAmount replaces the computed tax.
 */
export function xeroLine(
  line: XeroLineAmounts,
  taxPercent: number,
  types: LineAmountTypes,
  unitDp: 2 | 4 = 4,
): LineOutcome {
  const qty = scaled(line.Quantity ?? 1, 4);
  const unit = scaled(unscale(scaled(line.UnitAmount ?? 0, unitDp), unitDp), 4);
  let net = qty * unit; // 10^8
  if (line.DiscountRate) {
    const rate = scaled(line.DiscountRate, 4);
    net = divRound(net * (100n * PCT_SCALE - rate), 100n * PCT_SCALE);
  } else if (line.DiscountAmount) {
    net -= scaled(line.DiscountAmount, 8);
  }
  const lineCents = divRound(net, 10n ** 6n);
  const pct = scaled(taxPercent, 4);
  let taxCents = 0n;
  if (line.TaxAmount !== undefined && types !== 'NoTax') taxCents = scaled(line.TaxAmount, 2);
  else if (types === 'Exclusive') taxCents = divRound(lineCents * pct, 100n * PCT_SCALE);
  else if (types === 'Inclusive') taxCents = divRound(lineCents * pct, 100n * PCT_SCALE + pct);
  return { lineCents, taxCents };
}

/** Document totals from computed lines: tax is the sum of per-line rounded tax, never rounded on the total. */
export function xeroTotals(lines: LineOutcome[], types: LineAmountTypes): XeroDocumentTotals {
  const lineSum = lines.reduce((a, l) => a + l.lineCents, 0n);
  const tax = lines.reduce((a, l) => a + l.taxCents, 0n);
  const inclusive = types === 'Inclusive';
  return {
    subTotal: fromCents(inclusive ? lineSum - tax : lineSum),
    totalTax: fromCents(tax),
    total: fromCents(inclusive ? lineSum : lineSum + tax),
  };
}

/** Difference in cents between a store total and a Xero total. */
export function centsDiff(storeTotal: number, xeroTotal: number): bigint {
  return cents(storeTotal) - cents(xeroTotal);
}
