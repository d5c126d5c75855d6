/**
 * Decimal money arithmetic on scaled BigInts. Store amounts arrive as JS numbers written in decimal (19.995
 * means the decimal 19.995, not the nearest binary double), so each number is first read back as its shortest
 * decimal form (12 fractional digits is far beyond any currency or 4-dp unit price) and only then scaled.
 * Rounding is half away from zero, as Xero and Magento round.
 */
const READ_DP = 12;

/** `value` scaled by 10^dp, rounded half away from zero. */
export function scaled(value: number, dp: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  const text = Math.abs(value).toFixed(READ_DP);
  const [int, frac = ''] = text.split('.');
  const whole = BigInt(int + frac.padEnd(READ_DP, '0'));
  const abs = divRound(whole, 10n ** BigInt(READ_DP - dp));
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

/** Decimal places a number actually uses (up to 12). */
export function decimalsOf(value: number): number {
  const text = Math.abs(value).toFixed(READ_DP).replace(/0+$/, '');
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}
