import type { MagentoTaxSettings, TaxableItem } from './magento.types';
import { appliedRateGroups, TaxCalculator } from './tax-calculator';

const settings = (over: Partial<MagentoTaxSettings> = {}): MagentoTaxSettings => ({
  calculationMethod: 'total',
  pricesIncludeTax: false,
  shippingIncludesTax: false,
  applyTaxAfterDiscount: true,
  discountIncludesTax: false,
  rates: [{ code: 'US-CA', title: 'CA', percent: 8.25, priority: 0 }],
  shippingTaxable: true,
  ...over,
});
const line = (code: string, unitPrice: number, quantity = 1, over: Partial<TaxableItem> = {}): TaxableItem => ({
  code,
  unitPrice,
  quantity,
  discountAmount: 0,
  taxClass: 'taxable',
  taxIncluded: false,
  ...over,
});
const taxes = (s: MagentoTaxSettings, items: TaxableItem[]) => {
  const calc = new TaxCalculator(s);
  return items.map((i) => calc.calculate(i).rowTax);
};

describe('TaxCalculator', () => {
  describe('three lines of 1.00 at 8.25% (exact tax 0.0825 each, 0.2475 in all)', () => {
    const three = [line('a', 1), line('b', 1), line('c', 1)];

    it('unit: each unit rounded on its own, 0.0825 → 0.08, nothing carried: 0.24', () => {
      expect(taxes(settings({ calculationMethod: 'unit' }), three)).toEqual([0.08, 0.08, 0.08]);
    });

    it('row: each row rounded on its own, keyed by item: 0.24', () => {
      expect(taxes(settings({ calculationMethod: 'row' }), three)).toEqual([0.08, 0.08, 0.08]);
    });

    it('total: the remainder carries per rate: 0.082501→0.08 (+0.002501), 0.085001→0.09 (−0.004999), 0.077501→0.08', () => {
      expect(taxes(settings({ calculationMethod: 'total' }), three)).toEqual([0.08, 0.09, 0.08]);
    });

    it('the carry is per rate: a line at another rate neither takes nor gives remainder', () => {
      const s = settings({ calculationMethod: 'total' });
      const zero = line('z', 1, 1, { taxClass: 'zero' });
      expect(taxes(s, [three[0], zero, three[1], three[2]])).toEqual([0.08, 0, 0.09, 0.08]);
    });
  });

  it('one line of 3 × 1.00: unit rounds per unit (3 × 0.08 = 0.24), row and total round the row (0.2475 → 0.25)', () => {
    expect(taxes(settings({ calculationMethod: 'unit' }), [line('a', 1, 3)])).toEqual([0.24]);
    expect(taxes(settings({ calculationMethod: 'row' }), [line('a', 1, 3)])).toEqual([0.25]);
    expect(taxes(settings({ calculationMethod: 'total' }), [line('a', 1, 3)])).toEqual([0.25]);
  });

  it('backs tax out of an inclusive price: 9.99 at 15% holds 9.99 × (1 − 1/1.15) = 1.3030… → 1.30', () => {
    const s = settings({ pricesIncludeTax: true, rates: [{ code: 'GST', title: 'GST', percent: 15, priority: 0 }] });
    const d = new TaxCalculator(s).calculate(line('a', 9.99, 1, { taxIncluded: true }));
    expect(d).toMatchObject({ rowTax: 1.3, rowTotal: 8.69, price: 8.69, priceInclTax: 9.99, rowTotalInclTax: 9.99 });
  });

  it('inclusive price, tax after a discount: the tax the discount removes is the hidden tax (compensation)', () => {
    // 11.50 incl. 15%: tax 1.50. A 1.15 discount leaves 10.35 taxable: 10.35 × 0.15/1.15 = 1.35.
    // The 0.15 between them is discount_tax_compensation_amount: subtotal 10.00 + tax 1.35 − 1.15 + 0.15 = 10.35.
    const s = settings({ pricesIncludeTax: true, rates: [{ code: 'GST', title: 'GST', percent: 15, priority: 0 }] });
    const d = new TaxCalculator(s).calculate(line('a', 11.5, 1, { taxIncluded: true, discountAmount: 1.15 }));
    expect(d).toMatchObject({ rowTax: 1.35, rowTotal: 10, discountTaxCompensationAmount: 0.15 });
  });

  it('exclusive price: tax after discount is on the discounted row, before discount on the full row; no hidden tax', () => {
    // 20.00 at 8.25% less 5.00: after → 15.00 × 0.0825 = 1.2375 → 1.24; before → 20 × 0.0825 = 1.65.
    const item = line('a', 10, 2, { discountAmount: 5 });
    const after = new TaxCalculator(settings()).calculate(item);
    const before = new TaxCalculator(settings({ applyTaxAfterDiscount: false })).calculate(item);
    expect([after.rowTax, after.discountTaxCompensationAmount, after.rowTotalInclTax]).toEqual([1.24, 0, 21.65]);
    expect(before.rowTax).toBe(1.65);
  });

  it('two rates of one priority add (6% + 2% = 8%) and are taxed per rate on exclusive prices', () => {
    const s = settings({
      rates: [
        { code: 'STATE', title: 'State', percent: 6, priority: 0 },
        { code: 'COUNTY', title: 'County', percent: 2, priority: 0 },
      ],
    });
    expect(appliedRateGroups(s, 'taxable')).toEqual([expect.objectContaining({ id: 'STATECOUNTY', percent: 8 })]);
    // 12.99 × 8% = 1.0392 → 1.04
    expect(new TaxCalculator(s).calculate(line('a', 12.99)).rowTax).toBe(1.04);
  });

  it('a later priority compounds: 5% then 9.975% is 9.975 × 1.05 = 10.47375% on top, 15.47375% in all', () => {
    const s = settings({
      rates: [
        { code: 'GST', title: 'GST', percent: 5, priority: 0 },
        { code: 'QST', title: 'QST', percent: 9.975, priority: 1 },
      ],
    });
    const groups = appliedRateGroups(s, 'taxable');
    expect(groups.map((g) => [g.id, g.percent])).toEqual([
      ['GST', 5],
      ['QST', 10.47375],
    ]);
    // 100.00: GST 5.00, QST 10.47375 → 10.47; row tax 15.47.
    const d = new TaxCalculator(s).calculate(line('a', 100));
    expect(d.appliedTaxes.map((a) => a.amount)).toEqual([5, 10.47]);
    expect(d.rowTax).toBeCloseTo(15.47, 10);
  });

  it('an inclusive line over two groups splits its tax pro rata, each share delta-rounded per group', () => {
    // 10.80 incl. 8% (6% + 2% at different priorities, calculated off subtotal): tax 10.80 × (1 − 1/1.08) = 0.80.
    // Shares: 0.80/8 × 6 = 0.60 and 0.80/8 × 2 = 0.20.
    const s = settings({
      pricesIncludeTax: true,
      calculateOffSubtotalOnly: true,
      rates: [
        { code: 'A', title: 'A', percent: 6, priority: 0 },
        { code: 'B', title: 'B', percent: 2, priority: 1 },
      ],
    });
    const d = new TaxCalculator(s).calculate(line('a', 10.8, 1, { taxIncluded: true }));
    expect(d.rowTax).toBe(0.8);
    expect(d.appliedTaxes.map((a) => a.amount)).toEqual([0.6, 0.2]);
  });

  it('exempt goods match no rule: no tax and no applied rates', () => {
    const d = new TaxCalculator(settings()).calculate(line('a', 10, 1, { taxClass: 'exempt' }));
    expect([d.rowTax, d.taxPercent, d.appliedTaxes]).toEqual([0, 0, []]);
  });
});
