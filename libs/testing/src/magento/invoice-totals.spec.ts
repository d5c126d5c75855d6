import { doc, threeTens } from './engine.fixtures';
import { createInvoice, remainingToInvoice } from './invoice-totals';

describe('createInvoice', () => {
  it('a partial invoice takes its share; the final invoice takes what is left', () => {
    const order = threeTens();
    expect(order.grand_total).toBe(37.48);
    // Invoice 1, qty 1: row 30/3 = 10.00; tax 2.48/3 = 0.8267 → 0.83; all of shipping: 10 + 5 + 0.83 = 15.83.
    const first = createInvoice(order, doc(1, 1));
    expect(first).toMatchObject({ subtotal: 10, tax_amount: 0.83, shipping_amount: 5, grand_total: 15.83 });
    // Invoice 2, qty 2 (the last): row 30 − 10 = 20.00; tax 2.48 − 0.83 = 1.65; no shipping: 21.65.
    const last = createInvoice(order, doc(2, 2));
    expect(last).toMatchObject({ subtotal: 20, tax_amount: 1.65, shipping_amount: 0, grand_total: 21.65 });
    expect(first.grand_total + last.grand_total).toBeCloseTo(order.grand_total, 10);
    expect(order).toMatchObject({ total_invoiced: 37.48, total_paid: 37.48, tax_invoiced: 2.48 });
    expect(remainingToInvoice(order).size).toBe(0);
  });

  it('rounds a line share through the invoice rounder: 1 of 3 units carrying 1.00 of tax is 0.33', () => {
    const order = threeTens();
    order.items[0].tax_amount = 1;
    order.tax_amount = 1;
    expect(createInvoice(order, doc(1, 1)).tax_amount).toBe(0.33);
  });
});
