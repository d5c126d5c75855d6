/**
 * Exact decimal arithmetic for money. Amounts travel as JS numbers (that is what JSON and xero-node carry), but
 * every computation converts them to scaled BigInts first, so 1.005 rounds like the decimal 1.005 it was written
 * as and large quantities times 4-dp prices never lose a cent to binary floating point.
 */

/** Parses a finite number into an integer scaled by 10^dp, rounding half away from zero (as Xero does). */
export function toScaled(value: number, dp: number): bigint {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  const [mantissa, expPart] = value.toExponential().split('e');
  const exp = Number(expPart);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const fracDigits = digits.length - 1 - exp;
  let n = BigInt(digits);
  if (fracDigits <= dp) {
    n *= 10n ** BigInt(dp - fracDigits);
  } else {
    n = roundDiv(n, 10n ** BigInt(fracDigits - dp));
  }
  return negative ? -n : n;
}

/** Integer division rounding half away from zero; `den` must be positive. */
export function roundDiv(num: bigint, den: bigint): bigint {
  const negative = num < 0n;
  const abs = negative ? -num : num;
  const q = (abs * 2n + den) / (2n * den);
  return negative ? -q : q;
}

/** Converts a scaled integer back into a JS number. */
export function fromScaled(n: bigint, dp: number): number {
  return Number(n) / 10 ** dp;
}

/** Rounds to `dp` decimal places, half away from zero, on the decimal value. */
export function round(value: number, dp = 2): number {
  return fromScaled(toScaled(value, dp), dp);
}

/** Sums amounts exactly at 2 dp. */
export function sum2(values: number[]): number {
  return fromScaled(
    values.reduce((acc, v) => acc + toScaled(v, 2), 0n),
    2,
  );
}

/** Subtracts exactly at 2 dp. */
export function sub2(a: number, b: number): number {
  return fromScaled(toScaled(a, 2) - toScaled(b, 2), 2);
}
