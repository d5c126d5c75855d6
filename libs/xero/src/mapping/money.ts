/**
 * Decimal money arithmetic on scaled BigInts. Store amounts arrive as JS numbers written in decimal (19.995
 * means the decimal 19.995, not the nearest binary double), so each number is first read back as the shortest
 * decimal that round-trips to it (what JSON.stringify prints, the text the store sent) and only then scaled:
 * 10000.005 is 10000.005, although the double nearest to it lies just below (10000.00499999…).
 * Rounding is half away from zero, as Xero and Magento round.
 */

/** The shortest round-trip decimal of `value` as an integer and its count of fractional digits. */
function decimalOf(value: number): { digits: bigint; dp: number } {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  const [mantissa, exp = '0'] = Math.abs(value).toString().split('e');
  const [int, frac = ''] = mantissa.split('.');
  const digits = BigInt(int + frac);
  const dp = frac.length - Number(exp);
  return dp >= 0 ? { digits, dp } : { digits: digits * 10n ** BigInt(-dp), dp: 0 };
}

/** `value` scaled by 10^dp, rounded half away from zero. */
export function scaled(value: number, dp: number): bigint {
  const d = decimalOf(value);
  const abs = d.dp <= dp ? d.digits * 10n ** BigInt(dp - d.dp) : divRound(d.digits, 10n ** BigInt(d.dp - dp));
  return value < 0 ? -abs : abs;
}

/** num / den rounded half away from zero (den > 0). */
export function divRound(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError('denominator must be positive');
  const neg = num < 0n;
  const a = neg ? -num : num;
  const q = (2n * a + den) / (2n * den);
  return neg ? -q : q;
}

/** Integer cents of an amount. */
export function cents(value: number): bigint {
  return scaled(value, 2);
}

/** A JS number from a scaled integer. */
export function unscale(value: bigint, dp: number): number {
  return Number(value) / 10 ** dp;
}

export function fromCents(value: bigint): number {
  return unscale(value, 2);
}

/** Rounds to `dp` decimals (default 2), half away from zero. */
export function roundTo(value: number, dp = 2): number {
  return unscale(scaled(value, dp), dp);
}

/** Exact sum of amounts at 2 dp. */
export function sumMoney(values: number[]): number {
  return fromCents(values.reduce((acc, v) => acc + cents(v), 0n));
}
