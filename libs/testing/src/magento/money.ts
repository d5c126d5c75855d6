/**
 * Money arithmetic the way Magento 2.4 does it. Magento computes in PHP floats, rounds to cents with PHP's
 * `round()` (half away from zero, after a pre-rounding to 15 significant digits so 1.005 → 1.01), and persists
 * amounts as DECIMAL(20,4). Sums of already rounded amounts go through scaled integers (ten-thousandths) here, so
 * adding forty line totals never drifts a float ulp away from the cent Magento stored.
 */

/** Ten-thousandths per unit: Magento's DECIMAL(20,4) columns. */
const SCALE = 10_000;

/** PHP `round($value, $dp)`: half away from zero, robust to binary representation. */
export function phpRound(value: number, dp = 2): number {
  if (!Number.isFinite(value) || value === 0) return 0;
  const factor = 10 ** dp;
  let scaled = Math.abs(value) * factor;
  // Only a value within a hair of a half needs PHP's pre-rounding (and the slow decimal formatting it takes).
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) < 1e-6) scaled = Number(scaled.toPrecision(15));
  const rounded = (Math.sign(value) * Math.round(scaled)) / factor;
  return rounded === 0 ? 0 : rounded;
}

/** PriceCurrency::round: to the cent. */
export const roundCents = (value: number): number => phpRound(value, 2);

/** What a DECIMAL(20,4) column keeps of a float. */
export const stored = (value: number): number => phpRound(value, 4);

/** Exact sum of stored amounts (scaled integers, then back to a number). */
export function sumMoney(values: readonly number[]): number {
  let units = 0;
  for (const v of values) units += Math.round(stored(v) * SCALE);
  const result = units / SCALE;
  return result === 0 ? 0 : result;
}

/** a − b on stored amounts, exactly. */
export const subMoney = (a: number, b: number): number => sumMoney([a, -b]);

/**
 * Magento 2.4's Tax AbstractCalculator::deltaRound: rounds an amount after adding the remainder left by the
 * previous rounding under the same key, then keeps the new remainder. An unseen key starts at 0.000001 so an exact
 * half cent always rounds up. Keys are `type + direction` and the rate (or applied-rate id), as Magento keys them.
 */
export class TaxDeltaRounder {
  private readonly deltas = new Map<string, number>();

  round(amount: number, type: string, rateKey: string): number {
    if (!amount) return amount;
    const key = `${type}|${rateKey}`;
    const withDelta = amount + (this.deltas.get(key) ?? 0.000001);
    const rounded = roundCents(withDelta);
    this.deltas.set(key, withDelta - rounded);
    return rounded;
  }
}

/**
 * Magento 2.4's Math Calculator::deltaRound behind Invoice/Creditmemo::roundPrice: one running remainder per rounder
 * type ('regular', 'including', …) shared by every amount the document's totals round with that type, in the order
 * the collectors run. `negative` flips the remainder around the rounding (used for discounts).
 */
export class DocumentRounder {
  private readonly deltas = new Map<string, number>();

  round(amount: number, type = 'regular', negative = false): number {
    if (!amount) return amount;
    let delta = this.deltas.get(type) ?? 0;
    if (negative) delta = -delta;
    const withDelta = amount + delta;
    const rounded = roundCents(withDelta);
    delta = withDelta - rounded;
    this.deltas.set(type, negative ? -delta : delta);
    return rounded;
  }
}

/**
 * SalesRule DeltaPriceRound: spreads a cart-fixed discount over lines, each line's share rounded after adding the
 * remainder of the previous line's rounding (no initial nudge, unlike the tax rounder).
 */
export class DiscountDeltaRounder {
  private readonly deltas = new Map<string, number>();

  round(amount: number, key: string): number {
    if (!amount) return amount;
    const withDelta = amount + (this.deltas.get(key) ?? 0);
    const rounded = roundCents(withDelta);
    this.deltas.set(key, withDelta - rounded);
    return rounded;
  }

  reset(key: string): void {
    this.deltas.delete(key);
  }
}
