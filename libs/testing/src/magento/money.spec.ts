import { DocumentRounder, phpRound, sumMoney, TaxDeltaRounder } from './money';

describe('money', () => {
  it("rounds like PHP's round(): half away from zero, after pre-rounding (1.005 → 1.01, 0.575 → 0.58)", () => {
    expect([phpRound(1.005), phpRound(0.575), phpRound(-0.125), phpRound(2.675), phpRound(1.0049)]).toEqual([
      1.01, 0.58, -0.13, 2.68, 1,
    ]);
    expect(phpRound(14.98499, 4)).toBe(14.985);
  });

  it('sums stored amounts exactly', () => {
    expect(sumMoney([0.1, 0.2, 0.3])).toBe(0.6);
    expect(sumMoney(Array.from({ length: 40 }, () => 0.07))).toBe(2.8);
  });

  it('the tax rounder nudges an unseen key by 0.000001 so a half cent rounds up, then carries', () => {
    const r = new TaxDeltaRounder();
    expect([r.round(0.125, 'regular', '10'), r.round(0.125, 'regular', '10')]).toEqual([0.13, 0.12]);
  });

  it('the document rounder flips its remainder around a negative (discount) rounding', () => {
    const r = new DocumentRounder();
    // 0.826667 → 0.83 leaves −0.003333; as a discount the remainder is seen as +0.003333: 0.205 + 0.003333 → 0.21.
    expect([r.round(2.48 / 3), r.round(0.205, 'regular', true)]).toEqual([0.83, 0.21]);
  });
});
