import { applyTaxOverride, computeLine, computeTotals, TaxOverrideContext } from './totals';

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

describe('applyTaxOverride', () => {
  const gst: TaxOverrideContext = { taxType: 'OUTPUT2', taxRatePercent: 15, lineAmountTypes: 'Exclusive' };
  // 3 × 9.99 = 29.97, Xero's tax 4.4955 → 4.50
  const line = computeLine({ Quantity: 3, UnitAmount: 9.99, taxRatePercent: 15 }, 'Exclusive', 2);

  it('keeps the computed line when no TaxAmount is sent', () => {
    expect(applyTaxOverride(line, undefined, gst)).toEqual({ line, problems: [] });
  });

  it('takes a TaxAmount within a cent of the computed tax, and totals sum the overridden amounts', () => {
    const r = applyTaxOverride(line, 4.49, gst);
    expect(r.problems).toEqual([]);
    expect(r.line).toEqual({ ...line, TaxAmount: 4.49 });
    const other = computeLine({ Quantity: 1, UnitAmount: 10, taxRatePercent: 15 }, 'Exclusive', 2);
    expect(computeTotals([r.line, other], 'Exclusive')).toEqual({
      SubTotal: 39.97,
      TotalTax: 5.99,
      Total: 45.96,
      TotalDiscount: 0,
    });
  });

  it('Inclusive: LineAmount stays gross, SubTotal is the gross less the overridden tax', () => {
    const incl = computeLine({ Quantity: 1, UnitAmount: 10.74, taxRatePercent: 10 }, 'Inclusive', 2); // tax 0.976… → 0.98
    const r = applyTaxOverride(incl, 0.99, { taxType: 'OUTPUT', taxRatePercent: 10, lineAmountTypes: 'Inclusive' });
    expect(r.line).toMatchObject({ LineAmount: 10.74, TaxAmount: 0.99 });
    expect(computeTotals([r.line], 'Inclusive')).toMatchObject({ SubTotal: 9.75, TotalTax: 0.99, Total: 10.74 });
  });

  it('refuses a TaxAmount more than a cent away, in Xero wording naming the expected tax', () => {
    expect(applyTaxOverride(line, 4.52, gst)).toEqual({
      line,
      problems: ['Tax amount 4.52 is incorrect for OUTPUT2 tax type, should be 4.50'],
    });
    expect(applyTaxOverride(line, 4.48, gst).problems).toEqual([
      'Tax amount 4.48 is incorrect for OUTPUT2 tax type, should be 4.50',
    ]);
  });

  it('refuses any tax on a NoTax document or a zero-rate tax type, and accepts 0 there', () => {
    const noTax = computeLine({ Quantity: 1, UnitAmount: 10, taxRatePercent: 0 }, 'NoTax', 2);
    expect(applyTaxOverride(noTax, 0.01, { taxType: 'NONE', taxRatePercent: 0, lineAmountTypes: 'NoTax' })).toEqual({
      line: noTax,
      problems: ['Tax amount 0.01 is incorrect for NONE tax type, should be 0.00'],
    });
    const zero = computeLine({ Quantity: 1, UnitAmount: 10, taxRatePercent: 0 }, 'Exclusive', 2);
    const zeroCtx: TaxOverrideContext = { taxType: 'ZERORATED', taxRatePercent: 0, lineAmountTypes: 'Exclusive' };
    expect(applyTaxOverride(zero, -0.01, zeroCtx).problems).toEqual([
      'Tax amount -0.01 is incorrect for ZERORATED tax type, should be 0.00',
    ]);
    expect(applyTaxOverride(zero, 0, zeroCtx)).toEqual({ line: zero, problems: [] });
  });

  it('refuses tax of the opposite sign to the line, and tax larger than the line', () => {
    const tiny = computeLine({ Quantity: 1, UnitAmount: 0.03, taxRatePercent: 15 }, 'Exclusive', 2); // 0.0045 → 0.00
    expect(applyTaxOverride(tiny, -0.01, gst).problems).toEqual([
      'Tax amount -0.01 is incorrect for OUTPUT2 tax type, should be 0.00',
    ]);
    const credit = computeLine({ Quantity: 1, UnitAmount: -10, taxRatePercent: 15 }, 'Exclusive', 2); // tax -1.50
    expect(applyTaxOverride(credit, -1.51, gst).line.TaxAmount).toBe(-1.51);
    expect(applyTaxOverride(credit, 0.01, gst).problems).toHaveLength(1);
    const cent = computeLine({ Quantity: 1, UnitAmount: 0.01, taxRatePercent: 100 }, 'Exclusive', 2); // tax 0.01
    const full: TaxOverrideContext = { ...gst, taxRatePercent: 100 };
    expect(applyTaxOverride(cent, 0.02, full).problems).toEqual([
      'Tax amount 0.02 is incorrect for OUTPUT2 tax type, should be 0.01',
    ]);
  });

  it('refuses a TaxAmount that is not a whole number of cents, float noise included', () => {
    expect(applyTaxOverride(line, 4.495, gst).problems).toEqual([
      'Tax amount 4.495 must not have more than 2 decimal places',
    ]);
    expect(applyTaxOverride(line, 4.49 + 1e-12, gst).problems).toHaveLength(1);
  });
});
