import { lineDiscounts, shippingDiscount } from './discount';

describe('lineDiscounts', () => {
  const three = ['a', 'b', 'c'].map((code) => ({ code, qty: 1, price: 7 }));

  it('cart_fixed spreads the amount by share, carrying each rounding to the next line; the last takes the rest', () => {
    // 10.00 over three 7.00 lines: 10/3 = 3.3333 → 3.33 (carry +0.00333), 3.33667 → 3.34, last: 10 − 6.67 = 3.33.
    expect(lineDiscounts({ type: 'cart_fixed', amount: 10 }, three).map((d) => d.amount)).toEqual([3.33, 3.34, 3.33]);
  });

  it('cart_fixed never takes more than a line is worth; the last line is capped too', () => {
    const lines = [
      { code: 'a', qty: 1, price: 2 },
      { code: 'b', qty: 1, price: 3 },
    ];
    // 20 × 2/5 = 8 → capped at 2.00; last: min(3.00, 18.00) = 3.00.
    expect(lineDiscounts({ type: 'cart_fixed', amount: 20 }, lines).map((d) => d.amount)).toEqual([2, 3]);
  });

  it('by_percent rounds each line: 3 × 3.33 × 15% = 1.4985 → 1.50', () => {
    const [d] = lineDiscounts({ type: 'by_percent', amount: 15 }, [{ code: 'a', qty: 3, price: 3.33 }]);
    expect(d).toEqual({ code: 'a', amount: 1.5, percent: 15 });
  });

  it('by_fixed takes the amount off every unit, never below zero', () => {
    const d = lineDiscounts({ type: 'by_fixed', amount: 1.5 }, [
      { code: 'a', qty: 3, price: 4 },
      { code: 'b', qty: 2, price: 1 },
    ]);
    expect(d.map((x) => x.amount)).toEqual([4.5, 2]);
  });

  it('discounts shipping only for a percent rule that applies to it: 15% of 5.75 = 0.8625 → 0.86', () => {
    expect(shippingDiscount({ type: 'by_percent', amount: 15, applyToShipping: true }, 5.75)).toBe(0.86);
    expect(shippingDiscount({ type: 'by_percent', amount: 15 }, 5.75)).toBe(0);
    expect(shippingDiscount({ type: 'cart_fixed', amount: 5, applyToShipping: true }, 5.75)).toBe(0);
  });
});
