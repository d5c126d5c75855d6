import { defaultMappingSettings } from '@xero-sync/persistence';
import { appliedFacts, appliedTaxesOf } from './applied-taxes';
import { mapStoreLine, StoreLine } from './store-line';
import { storeCurrencyRate, storeDay } from './store-day';
import { taxForLine } from './tax';
import { xeroLine, xeroTotals } from './xero-totals';

const mapping = defaultMappingSettings();
const base: StoreLine = {
  description: 'Widget',
  quantity: 1,
  unitPrice: 1,
  discountCents: 0n,
  amountCents: 100n,
  taxCents: 8n,
  taxType: 'OUTPUT2',
  taxPercent: 8.25,
  accountCode: '200',
};
const opts = { allowDiscount: true, what: 'item W' };

/** What Xero will hold for the mapped lines: recomputed from the bodies alone. */
function posted(lines: ReturnType<typeof mapStoreLine>['lines'], pct: number, types: 'Exclusive' | 'Inclusive') {
  return xeroTotals(
    lines.map((l) => xeroLine(l, l.TaxType === 'NONE' ? 0 : pct, types)),
    types,
  );
}

describe('mapStoreLine', () => {
  it("leaves Xero's own tax alone where it equals the store's", () => {
    const m = mapStoreLine(base, 'Exclusive', mapping, opts);
    expect(m.lines).toEqual([
      { Description: 'Widget', Quantity: 1, UnitAmount: 1, AccountCode: '200', TaxType: 'OUTPUT2' },
    ]);
  });

  it("states the store's tax where Magento's carried delta rounded the other way", () => {
    // 1.00 × 8.25% = 0.0825: Xero rounds to 0.08, the store's delta carry made this row 0.09
    const m = mapStoreLine({ ...base, taxCents: 9n }, 'Exclusive', mapping, opts);
    expect(m.lines[0].TaxAmount).toBe(0.09);
    expect(posted(m.lines, 8.25, 'Exclusive')).toEqual({ subTotal: 1, totalTax: 0.09, total: 1.09 });
  });

  it('splits a per-unit rounded line into parts of the same item, each within a cent of Xero', () => {
    // 100 × 0.33 at 15%: per unit 0.0495 → 0.05, so the store charged 5.00; Xero's row tax is 4.95
    const line = { ...base, quantity: 100, unitPrice: 0.33, amountCents: 3300n, taxCents: 500n, taxPercent: 15 };
    const m = mapStoreLine(line, 'Exclusive', mapping, opts);
    expect(m.lines.length).toBeGreaterThan(1);
    expect(m.lines.reduce((a, l) => a + l.Quantity, 0)).toBe(100);
    expect(m.lines.every((l) => l.UnitAmount === 0.33 && l.Description === 'Widget')).toBe(true);
    for (const l of m.lines) {
      const own = xeroLine({ ...l, TaxAmount: undefined }, 15, 'Exclusive').taxCents;
      const stated = l.TaxAmount === undefined ? own : BigInt(Math.round(l.TaxAmount * 100));
      expect(stated - own <= 1n && own - stated <= 1n).toBe(true);
    }
    expect(posted(m.lines, 15, 'Exclusive')).toEqual({ subTotal: 33, totalTax: 5, total: 38 });
  });

  it('shows tax charged before the discount as the undiscounted line plus a no-tax discount line', () => {
    // 2 × 10.00 at 15% with 2.00 off, taxed on the full 20.00: 3.00 (15% of 18.00 would be 2.70)
    const line = { ...base, quantity: 2, unitPrice: 10, amountCents: 1800n, discountCents: 200n, taxCents: 300n };
    const m = mapStoreLine({ ...line, taxPercent: 15 }, 'Exclusive', mapping, opts);
    expect(m.lines).toEqual([
      { Description: 'Widget', Quantity: 2, UnitAmount: 10, AccountCode: '200', TaxType: 'OUTPUT2' },
      { Description: 'Discount: Widget', Quantity: 1, UnitAmount: -2, AccountCode: '200', TaxType: 'NONE' },
    ]);
    expect(posted(m.lines, 15, 'Exclusive')).toEqual({ subTotal: 18, totalTax: 3, total: 21 });
  });

  it('refuses a tax that only another rate explains, naming the figures', () => {
    const line = { ...base, unitPrice: 100, amountCents: 10000n, taxCents: 1000n, taxPercent: 15 };
    expect(() => mapStoreLine(line, 'Exclusive', mapping, opts)).toThrow(
      "item W: the store charged tax 10.00 on 100.00, but OUTPUT2 (15%) gives 15.00; the line's tax rate is mapped to the wrong Xero tax type",
    );
  });

  it('keeps gross amounts on inclusive lines', () => {
    const line = { ...base, quantity: 3, unitPrice: 11.5, amountCents: 3450n, taxCents: 450n, taxPercent: 15 };
    const m = mapStoreLine(line, 'Inclusive', mapping, opts);
    expect(m.lines[0]).toMatchObject({ Quantity: 3, UnitAmount: 11.5 });
    expect(m.lines[0].TaxAmount).toBeUndefined();
    expect(posted(m.lines, 15, 'Inclusive')).toEqual({ subTotal: 30, totalTax: 4.5, total: 34.5 });
  });

  it('reaches an amount without a discount (credit notes) by the unit price, else quantity 1', () => {
    const third = mapStoreLine(
      { ...base, quantity: 3, unitPrice: 3.5, amountCents: 1000n, taxCents: 150n, taxPercent: 15 },
      'Exclusive',
      mapping,
      { allowDiscount: false, what: 'x' },
    );
    expect(third.lines[0]).toMatchObject({ Quantity: 3, UnitAmount: 3.3333 });
    const many = mapStoreLine(
      {
        ...base,
        quantity: 3000,
        unitPrice: 0.0003,
        amountCents: 1n,
        taxCents: 0n,
        taxPercent: 0,
        taxType: 'ZERORATED',
      },
      'Exclusive',
      mapping,
      { allowDiscount: false, what: 'x' },
    );
    expect(many.lines[0]).toMatchObject({ Quantity: 1, UnitAmount: 0.01, Description: 'Widget (3000 × 0.0003)' });
  });
});

describe('taxForLine', () => {
  const order = {
    extension_attributes: {
      item_applied_taxes: [
        { type: 'product', item_id: 7, applied_taxes: [{ code: 'US-CA', title: 'CA', percent: 6.25, amount: 1 }] },
        {
          type: 'shipping',
          item_id: null,
          applied_taxes: [
            { code: 'US-CA', percent: 6.25 },
            { code: 'US-CA-LA', percent: 2 },
          ],
        },
      ],
    },
  };
  const m = {
    ...mapping,
    taxRates: [
      { percent: 6.25, taxType: 'CASTATE', code: 'US-CA' },
      { percent: 8.25, taxType: 'CALA', code: 'US-CA + US-CA-LA' },
      { percent: 8.25, taxType: 'TXSTATE' },
    ],
  };

  it("takes the Xero tax type of the rates the store applied, never a near rate's", () => {
    const applied = appliedTaxesOf(order);
    expect(taxForLine(m, { ...appliedFacts(applied.items.get(7)), tax: 1, net: 16 }, 'item')).toEqual({
      taxType: 'CASTATE',
      percent: 6.25,
      source: 'applied',
    });
    // shipping taxed by two Californian rates goes to their combined type, not to Texas' rate of the same size
    expect(taxForLine(m, { ...appliedFacts(applied.shipping), tax: 0.83, net: 10 }, 'shipping')).toEqual({
      taxType: 'CALA',
      percent: 8.25,
      source: 'applied',
    });
  });

  it('infers a rate only for a line that names none, and says so', () => {
    expect(taxForLine(m, { tax: 0.83, net: 10 }, 'shipping').source).toBe('inferred');
    expect(taxForLine(m, { percent: 6.25, tax: 0.63, net: 10 }, 'item').source).toBe('declared');
  });

  it('refuses a code whose store percent disagrees with its mapping', () => {
    expect(() => taxForLine(m, { appliedCodes: ['US-CA'], appliedPercent: 7, tax: 0.7, net: 10 }, 'item')).toThrow(
      /US-CA is 7% in the store but its Xero tax type CASTATE is mapped at 6.25%/,
    );
  });
});

describe('storeDay / storeCurrencyRate', () => {
  it("dates a document on the store's local day", () => {
    // 9 am in Auckland on 27 Nov (NZDT, UTC+13) is 20:00 UTC on the 26th
    expect(storeDay('2026-11-26 20:00:00', 'Pacific/Auckland')).toBe('2026-11-27');
    expect(storeDay('2026-11-26 20:00:00')).toBe('2026-11-26');
    expect(storeDay('2026-11-26T20:00:00-05:00', 'UTC')).toBe('2026-11-27');
  });

  it("sends the store's own rate only for foreign-currency documents when the store chose it", () => {
    const order = { base_currency_code: 'NZD', base_to_order_rate: 0.5912345678 };
    expect(storeCurrencyRate(order, 'USD', 'store')).toBe(0.591235);
    expect(storeCurrencyRate(order, 'USD', 'xero')).toBeUndefined();
    expect(storeCurrencyRate(order, 'NZD', 'store')).toBeUndefined();
  });
});
