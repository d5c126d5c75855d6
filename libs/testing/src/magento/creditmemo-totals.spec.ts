import { createCreditMemo } from './creditmemo-totals';
import { doc, threeTens } from './engine.fixtures';
import { createInvoice } from './invoice-totals';

describe('createCreditMemo after a full invoice', () => {
  const invoiced = () => {
    const order = threeTens();
    createInvoice(order, doc(1, 3));
    return order;
  };
  const memo = (id: number, qty: number, over: object = {}) => ({ ...doc(id, qty), invoiceId: 1, ...over });

  it('refunds a share with the adjustments; the memo that refunds the rest takes the tax left', () => {
    const order = invoiced();
    // qty 1, no shipping: row 10.00, tax 2.48/3 → 0.83; + 2.00 refund adjustment − 1.50 fee: 11.33.
    const first = createCreditMemo(
      order,
      memo(1, 1, { shippingAmount: 0, adjustmentPositive: 2, adjustmentNegative: 1.5 }),
    );
    expect(first).toMatchObject({ subtotal: 10, tax_amount: 0.83, shipping_amount: 0, grand_total: 11.33 });
    // The rest: row 20.00, tax 2.48 − 0.83 = 1.65, shipping 5.00 = 26.65 — but 11.33 + 26.65 > 37.48 paid,
    // so Magento refuses it; with a 0.50 fee it fits exactly.
    expect(() => createCreditMemo(order, memo(2, 2))).toThrow(/over what was paid/);
    const last = createCreditMemo(order, memo(2, 2, { adjustmentNegative: 0.5 }));
    expect(last).toMatchObject({ subtotal: 20, tax_amount: 1.65, shipping_amount: 5, grand_total: 26.15 });
    expect(order.total_refunded).toBe(37.48);
  });

  it('refunds part of shipping in proportion, with its share of shipping tax', () => {
    const order = invoiced();
    order.shipping_tax_amount = 0.41;
    order.shipping_tax_invoiced = 0.41;
    // The memo's rounder runs line tax first: 2.48/3 = 0.82667 → 0.83 leaves −0.00333. Then 2.50 of 5.00 shipping:
    // 0.41 × 0.5 = 0.205, less that remainder = 0.20167 → 0.20; incl. tax 5.41 × 0.5 = 2.705 → 2.71.
    const m = createCreditMemo(order, memo(1, 1, { shippingAmount: 2.5 }));
    expect(m).toMatchObject({ shipping_amount: 2.5, shipping_tax_amount: 0.2, shipping_incl_tax: 2.71 });
  });

  it('refuses a memo whose Adjustment Fee is larger than what it refunds, and leaves the order untouched', () => {
    const order = invoiced();
    // qty 1, no shipping: 10.00 + 0.83 tax − a 20.00 fee is −9.17, which Magento refuses (no negative refund, and
    // never a negative gift-card or store-credit share of it).
    expect(() => createCreditMemo(order, memo(1, 1, { shippingAmount: 0, adjustmentNegative: 20 }))).toThrow(
      /is negative/,
    );
    expect(order.total_refunded).toBe(0);
    expect(order.extension_attributes.gift_cards_refunded).toBe(0);
  });
});
