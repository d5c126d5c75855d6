import { computeLine, computeTotals } from './totals';

describe('computeLine', () => {
  it('exclusive: tax per line rounded to 2 dp', () => {
    const l = computeLine({ Quantity: 3, UnitAmount: 9.99, taxRatePercent: 15 }, 'Exclusive', 2);
    expect(l).toMatchObject({ LineAmount: 29.97, TaxAmount: 4.5 }); // 4.4955 → 4.50
  });

  it('inclusive: tax = amount − amount/(1+rate), rounded half away from zero', () => {
    const l = computeLine({ Quantity: 1, UnitAmount: 115, taxRatePercent: 15 }, 'Inclusive', 2);
    expect(l.TaxAmount).toBe(15);
    const m = computeLine({ Quantity: 1, UnitAmount: 10, taxRatePercent: 15 }, 'Inclusive', 2);
    expect(m.TaxAmount).toBe(1.3); // 1.3043…
  });

  it('NoTax never taxes', () => {
    expect(computeLine({ Quantity: 2, UnitAmount: 5, taxRatePercent: 15 }, 'NoTax', 2).TaxAmount).toBe(0);
  });

  it('rounds 4-dp unit prices to 2 dp unless unitdp=4', () => {
    const two = computeLine({ Quantity: 3, UnitAmount: 1.3333, taxRatePercent: 0 }, 'Exclusive', 2);
    expect(two).toMatchObject({ UnitAmount: 1.33, LineAmount: 3.99 });
    const four = computeLine({ Quantity: 3, UnitAmount: 1.3333, taxRatePercent: 0 }, 'Exclusive', 4);
    expect(four).toMatchObject({ UnitAmount: 1.3333, LineAmount: 4 }); // 3.9999 → 4.00
  });

  it('applies DiscountRate and DiscountAmount before tax', () => {
    const r = computeLine({ Quantity: 2, UnitAmount: 10, DiscountRate: 12.5, taxRatePercent: 15 }, 'Exclusive', 2);
    expect(r).toMatchObject({ LineAmount: 17.5, TaxAmount: 2.63, discount: 2.5 });
    const a = computeLine({ Quantity: 2, UnitAmount: 10, DiscountAmount: 1.25, taxRatePercent: 15 }, 'Exclusive', 2);
    expect(a).toMatchObject({ LineAmount: 18.75, TaxAmount: 2.81 });
  });

  it('works out a missing UnitAmount from LineAmount', () => {
    expect(computeLine({ Quantity: 4, LineAmount: 10, taxRatePercent: 0 }, 'Exclusive', 2)).toMatchObject({
      UnitAmount: 2.5,
      LineAmount: 10,
    });
  });
});

describe('computeTotals', () => {
  it('sums rounded line taxes, so totals can differ from tax on the sum', () => {
    const lines = [1, 2, 3].map(() =>
      computeLine({ Quantity: 1, UnitAmount: 0.03, taxRatePercent: 15 }, 'Exclusive', 2),
    );
    // each line tax 0.0045 → 0.00; tax on the sum 0.09 × 15% = 0.0135 → 0.01
    expect(computeTotals(lines, 'Exclusive')).toEqual({ SubTotal: 0.09, TotalTax: 0, Total: 0.09, TotalDiscount: 0 });
  });

  it('inclusive totals: Total is the sum of lines, SubTotal excludes tax', () => {
    const lines = [computeLine({ Quantity: 1, UnitAmount: 115, taxRatePercent: 15 }, 'Inclusive', 2)];
    expect(computeTotals(lines, 'Inclusive')).toMatchObject({ SubTotal: 100, TotalTax: 15, Total: 115 });
  });
});
