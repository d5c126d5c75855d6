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

  it.each([false, true])(
    'carries every generated line, tax and total to the cent without rounding lines (prices incl. tax: %s)',
    (incl) => {
      const mapping: XeroMappingSettings = {
        ...defaultMappingSettings(),
        lineAmountTypes: incl ? 'Inclusive' : 'Exclusive',
      };
      const store = generateStore({ seed: 42, orders: 400, pricesIncludeTax: incl });
      for (const order of store.orders) {
        const { body, totals } = mapOrderInvoice(order, mapping, { contact });
        expect(totals.total).toBe(roundTo(order.grand_total, 2));
        expect(totals.totalTax).toBe(roundTo(order.tax_amount, 2));
        expect(totals.roundingAdjustment).toBe(0);
        // recompute from the body alone, independently of the mapper's bookkeeping
        const pct = (t: string) => mapping.taxRates.find((r) => r.taxType === t)?.percent ?? 0;
        const computed = body.LineItems.map((l) => xeroLine(l, pct(l.TaxType), body.LineAmountTypes));
        const recomputed = xeroTotals(computed, body.LineAmountTypes);
        expect(recomputed.total).toBe(roundTo(order.grand_total, 2));
        expect(recomputed.totalTax).toBe(roundTo(order.tax_amount, 2));
        // line by line: each item line's tax is the store line's tax
        const items = order.items.filter((i) => !i.parent_item_id);
        items.forEach((item, n) => expect(computed[n].taxCents).toBe(cents(item.tax_amount ?? 0)));
      }
      for (const memo of store.creditMemos) {
        const { totals, body } = mapCreditMemoCreditNote(memo, mapping, { contact });
        expect(totals.total).toBe(roundTo(memo.grand_total, 2));
        expect(totals.totalTax).toBe(roundTo(memo.tax_amount ?? 0, 2));
        expect(body.LineItems.every((l) => l.DiscountAmount === undefined)).toBe(true);
        expect(body.Reference).toBe(memo.order_increment_id);
      }
    },
  );

  /** An order whose lines are exact at 15% and whose grand total is `drift` cents away from them. */
  function orderWithDrift(rows: { qty: number; price: number; taxed: boolean }[], drift: number) {
    const items = rows.map((r, i) => {
      const rowTotal = roundTo(r.qty * r.price, 2);
      return {
        item_id: i + 1,
        sku: `S${i}`,
        name: `Item ${i}`,
        product_type: 'simple',
        qty_ordered: r.qty,
        price: r.price,
        tax_percent: r.taxed ? 15 : 0,
        tax_amount: r.taxed ? roundTo(rowTotal * 0.15, 2) : 0,
        row_total: rowTotal,
      };
    });
    const exact = items.reduce((a, i) => a + cents(i.row_total) + cents(i.tax_amount), 0n);
    return {
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
      grand_total: Number(exact + BigInt(drift)) / 100,
      items,
    };
  }
  const rowsArb = fc.array(
    fc.record({
      qty: fc.integer({ min: 1, max: 400 }).map((q) => q / 4),
      price: fc.integer({ min: 1, max: 5_000_000 }).map((p) => p / 10000),
      taxed: fc.boolean(),
    }),
    { minLength: 1, maxLength: 8 },
  );

  it('property: a residue within the cap becomes one rounding line; a larger gap is refused with the gap named', () => {
    const mapping = defaultMappingSettings();
    fc.assert(
      fc.property(rowsArb, fc.integer({ min: -300, max: 300 }), (rows, drift) => {
        const order = orderWithDrift(rows, drift);
        if (Math.abs(drift) <= 5) {
          const { totals, body } = mapOrderInvoice(order, mapping, { contact });
          expect(totals.total).toBe(order.grand_total);
          expect(totals.roundingAdjustment).toBe(drift / 100);
          expect(body.LineItems.filter((l) => l.Description === 'Rounding')).toHaveLength(drift === 0 ? 0 : 1);
        } else {
          const gap = (drift / 100).toFixed(2);
          expect(() => mapOrderInvoice(order, mapping, { contact })).toThrow(
            new RegExp(
              `store's total is ${order.grand_total.toFixed(2)} .*\\(gap ${gap.replace('.', '\\.')}\\), over the rounding cap of 0\\.05`,
            ),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: a line taxed at another rate than its mapped tax type is refused, never absorbed', () => {
    const mapping = defaultMappingSettings();
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 100_000 }).map((c) => c / 100),
        fc.constantFrom(5, 10, 12.5, 20),
        (rowTotal, wrongRate) => {
          const order = orderWithDrift([{ qty: 1, price: rowTotal, taxed: true }], 0);
          // the store charged another rate but the payload says 15%: a mapping mistake, however small the line
          order.items[0].tax_amount = roundTo((rowTotal * wrongRate) / 100, 2);
          order.grand_total = roundTo(rowTotal + order.items[0].tax_amount, 2);
          if (Math.abs(order.items[0].tax_amount - roundTo(rowTotal * 0.15, 2)) <= 0.01) return;
          expect(() => mapOrderInvoice(order, mapping, { contact })).toThrow(/mapped to the wrong Xero tax type/);
        },
      ),
      { numRuns: 200 },
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
