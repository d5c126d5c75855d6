import fc from 'fast-check';
import { defaultMappingSettings, XeroMappingSettings } from '@xero-sync/persistence';
import { generateStore } from '@xero-sync/testing';
import { cents, roundTo, scaled } from './money';
import { xeroLine, xeroTotals } from './xero-totals';
import { mapOrderInvoice } from './invoice.mapper';
import { mapCreditMemoCreditNote } from './credit-note.mapper';
import { contactNumberFor, guestKey, mapOrderContact, nameWithEmail } from './contact.mapper';
import { itemCodeFor, mapProductItem } from './item.mapper';
import { paymentAccountFor } from './payment.mapper';

describe('money', () => {
  it('reads numbers as the decimals they were written as', () => {
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(-1.005, 2)).toBe(-1.01);
    expect(roundTo(2.675, 2)).toBe(2.68);
    expect(scaled(0.1 + 0.2, 2)).toBe(30n);
    expect(cents(19.999)).toBe(2000n);
  });

  it('rounds every magnitude the contract accepts as its decimal text says', () => {
    // The double nearest 10000.005 lies just below it; the store wrote 10000.005.
    expect(roundTo(10000.005, 2)).toBe(10000.01);
    expect(roundTo(-10000.005, 2)).toBe(-10000.01);
    expect(roundTo(1234567.125, 2)).toBe(1234567.13);
    expect(cents(99999999.995)).toBe(10000000000n);
    expect(scaled(1e-7, 2)).toBe(0n);
    expect(scaled(1.5e21, 0)).toBe(1500000000000000000000n);
    expect(scaled(0.0049999, 2)).toBe(0n);
  });

  it('agrees with decimal rounding of the written text for any 2- and 3-dp amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), (thousandths) => {
        const value = Number(thousandths) / 1000; // the double nearest the 3-dp decimal
        const half = thousandths % 10n >= 5n ? 1n : 0n;
        expect(cents(value)).toBe(thousandths / 10n + half);
        expect(cents(-value)).toBe(-(thousandths / 10n + half));
      }),
    );
  });
});

describe('xeroLine', () => {
  it('rounds the line and its tax to cents the way Xero does', () => {
    // 3 × 0.3333 = 0.9999 → 1.00; 15% → 0.15
    expect(xeroLine({ Quantity: 3, UnitAmount: 0.3333 }, 15, 'Exclusive')).toEqual({ lineCents: 100n, taxCents: 15n });
    // without unitdp=4 the unit price becomes 0.33 first
    expect(xeroLine({ Quantity: 3, UnitAmount: 0.3333 }, 15, 'Exclusive', 2)).toEqual({
      lineCents: 99n,
      taxCents: 15n,
    });
    // inclusive: tax = 11.50 × 15/115 = 1.50
    expect(xeroLine({ Quantity: 1, UnitAmount: 11.5 }, 15, 'Inclusive')).toEqual({ lineCents: 1150n, taxCents: 150n });
    expect(xeroLine({ Quantity: 2, UnitAmount: 10, DiscountAmount: 1.5 }, 15, 'Exclusive')).toEqual({
      lineCents: 1850n,
      taxCents: 278n,
    });
    expect(xeroLine({ Quantity: 2, UnitAmount: 10, DiscountRate: 12.5 }, 0, 'Exclusive')).toEqual({
      lineCents: 1750n,
      taxCents: 0n,
    });
  });

  it('sums per-line rounded tax (never rounds on the total)', () => {
    const lines = [0.05, 0.05, 0.05].map((u) => xeroLine({ Quantity: 1, UnitAmount: u }, 15, 'Exclusive'));
    // each line's tax 0.0075 → 0.01; Xero's total tax is 0.03, a store rounding the total gets 0.02
    expect(xeroTotals(lines, 'Exclusive')).toEqual({ subTotal: 0.15, totalTax: 0.03, total: 0.18 });
  });
});

describe('mapOrderInvoice / mapCreditMemoCreditNote', () => {
  const contact = { ContactNumber: 'MC-1' };

  it.each([false, true])('hits every generated grand total to the cent (prices incl. tax: %s)', (incl) => {
    const mapping: XeroMappingSettings = {
      ...defaultMappingSettings(),
      lineAmountTypes: incl ? 'Inclusive' : 'Exclusive',
    };
    const store = generateStore({ seed: 42, orders: 400, pricesIncludeTax: incl });
    let roundingLines = 0;
    for (const order of store.orders) {
      const { body, totals } = mapOrderInvoice(order, mapping, { contact });
      expect(totals.total).toBe(roundTo(order.grand_total, 2));
      // recompute from the body alone, independently of the mapper's bookkeeping
      const pct = (t: string) => mapping.taxRates.find((r) => r.taxType === t)?.percent ?? 0;
      const recomputed = xeroTotals(
        body.LineItems.map((l) => xeroLine(l, pct(l.TaxType), body.LineAmountTypes)),
        body.LineAmountTypes,
      );
      expect(recomputed.total).toBe(roundTo(order.grand_total, 2));
      if (totals.roundingAdjustment !== 0) roundingLines++;
      expect(Math.abs(totals.roundingAdjustment)).toBeLessThan(0.1);
    }
    if (!incl) expect(roundingLines).toBeGreaterThan(0);
    for (const memo of store.creditMemos) {
      const { totals, body } = mapCreditMemoCreditNote(memo, mapping, { contact });
      expect(totals.total).toBe(roundTo(memo.grand_total, 2));
      expect(body.LineItems.every((l) => l.DiscountAmount === undefined)).toBe(true);
    }
  });

  it('property: any lines and any store total are reconciled by the rounding line', () => {
    const mapping = defaultMappingSettings();
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            qty: fc.integer({ min: 1, max: 40000 }).map((q) => q / 4),
            price: fc.integer({ min: 1, max: 5_000_000 }).map((p) => p / 10000),
            taxed: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.integer({ min: -300, max: 300 }),
        (rows, drift) => {
          const items = rows.map((r, i) => ({
            item_id: i + 1,
            sku: `S${i}`,
            name: `Item ${i}`,
            product_type: 'simple',
            qty_ordered: r.qty,
            price: r.price,
            tax_percent: r.taxed ? 15 : 0,
            row_total: roundTo(r.qty * r.price, 2),
          }));
          const net = items.reduce((a, i) => a + i.row_total * (1 + (i.tax_percent ?? 0) / 100), 0);
          const grand = Math.max(0, roundTo(net + drift / 100, 2));
          const order = {
            entity_id: 1,
            increment_id: '1',
            state: 'processing' as const,
            created_at: '2026-01-01 00:00:00',
            customer_email: 'a@b.example',
            order_currency_code: 'NZD',
            subtotal: 0,
            tax_amount: 0,
            shipping_amount: 0,
            shipping_tax_amount: 0,
            discount_amount: 0,
            grand_total: grand,
            items,
          };
          const { totals } = mapOrderInvoice(order, mapping, { contact });
          return totals.total === grand;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a tax rate the store has not mapped, naming it', () => {
    const store = generateStore({ seed: 1, orders: 1 });
    const order = { ...store.orders[0], items: store.orders[0].items.map((i) => ({ ...i, tax_percent: 9 })) };
    expect(() => mapOrderInvoice(order, defaultMappingSettings(), { contact })).toThrow(
      /no Xero tax type mapped for 9%/,
    );
  });
});

describe('keys', () => {
  const mapping = defaultMappingSettings();
  it('derives stable business keys within Xero field limits', () => {
    expect(itemCodeFor('SKU-1')).toBe('SKU-1');
    const long = 'LONG-SKU-MERINO-BLANKET-EDITION-12-XL-BLUE';
    expect(itemCodeFor(long)).toHaveLength(30);
    expect(itemCodeFor(long)).toBe(itemCodeFor(long));
    expect(itemCodeFor(long)).not.toBe(itemCodeFor(`${long}2`));
    expect(contactNumberFor(mapping, '42')).toBe('MC-42');
    expect(guestKey(' Guest@Example.NET ')).toBe(guestKey('guest@example.net'));
    const guestNumber = contactNumberFor(mapping, `guest:${guestKey('guest@example.net')}`);
    expect(guestNumber.length).toBeLessThanOrEqual(50);
    expect(nameWithEmail('Alex Smith', 'A@x.example')).toBe('Alex Smith (a@x.example)');
    const product = generateStore({ seed: 2, products: 10, orders: 1 }).products.find((p) => p.name.length > 50);
    if (product) expect(mapProductItem(product, mapping).Name.length).toBeLessThanOrEqual(50);
    const order = generateStore({ seed: 2, orders: 30, guestShare: 1 }).orders[0];
    expect(mapOrderContact(order, mapping).ContactNumber.startsWith('MC-G')).toBe(true);
    expect(paymentAccountFor(mapping, 'purchaseorder')).toBeNull();
    expect(paymentAccountFor(mapping, 'checkmo')).toBe('090');
    expect(paymentAccountFor(mapping, 'unknown')).toBe('091');
  });
});
