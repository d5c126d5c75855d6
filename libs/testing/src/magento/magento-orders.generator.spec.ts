import fc from 'fast-check';
import { payloadSchemas } from '@xero-sync/contracts';
import { STORE_CONFIGURATIONS } from './configurations';
import { EngineOrder, generateMagentoOrders } from './magento-orders.generator';
import { sumMoney } from './money';
import { isDummy } from './order-items';
import type { CreditMemoPayload, InvoicePayload, OrderPayload } from './payload.types';

const cents = (v: number) => Math.round(v * 100);
const tenders = (p: { extension_attributes: { customer_balance_amount: number; gift_cards_amount: number } }) =>
  sumMoney([p.extension_attributes.customer_balance_amount, p.extension_attributes.gift_cards_amount]);

/** grand_total = subtotal + shipping − discount + tax + hidden tax − gift cards − store credit (+ adjustments). */
function identity(doc: OrderPayload | InvoicePayload | CreditMemoPayload): number {
  const adjustments =
    'adjustment_positive' in doc && 'invoice_id' in doc ? doc.adjustment_positive - doc.adjustment_negative : 0;
  const shippingComp = 'items' in doc && 'is_virtual' in doc ? doc.shipping_discount_tax_compensation_amount : 0;
  return sumMoney([
    doc.subtotal,
    doc.shipping_amount,
    doc.discount_amount,
    doc.tax_amount,
    doc.discount_tax_compensation_amount,
    shippingComp,
    adjustments,
    -tenders(doc),
  ]);
}

function checkOrder({ order, invoices, creditMemos, configuration }: EngineOrder): void {
  const where = `${configuration} order ${order.increment_id}`;
  expect({ where, grand: cents(identity(order)) }).toEqual({ where, grand: cents(order.grand_total) });
  const itemsTax = sumMoney(order.items.filter((i) => !isDummy(order, i)).map((i) => i.tax_amount));
  expect({ where, tax: cents(sumMoney([itemsTax, order.shipping_tax_amount])) }).toEqual({
    where,
    tax: cents(order.tax_amount),
  });
  const applied = sumMoney(order.extension_attributes.applied_taxes.map((a) => a.amount));
  expect({ where, applied: cents(applied) }).toEqual({ where, applied: cents(order.tax_amount) });

  for (const doc of [...invoices, ...creditMemos]) {
    expect({ where, doc: doc.increment_id, grand: cents(identity(doc)) }).toEqual({
      where,
      doc: doc.increment_id,
      grand: cents(doc.grand_total),
    });
    expect(doc.grand_total).toBeGreaterThanOrEqual(0);
  }
  const fullyInvoiced = order.items.every((i) => i.qty_invoiced === i.qty_ordered);
  const invoiced = sumMoney(invoices.map((i) => i.grand_total));
  if (invoices.length && fullyInvoiced) {
    expect({ where, invoiced: cents(invoiced) }).toEqual({ where, invoiced: cents(order.grand_total) });
    expect(cents(sumMoney(invoices.map((i) => i.tax_amount)))).toBe(cents(order.tax_amount));
  }
  const refunded = sumMoney(creditMemos.map((m) => m.grand_total));
  expect(cents(refunded)).toBeLessThanOrEqual(cents(invoiced));
  for (const item of order.items) expect(item.qty_refunded).toBeLessThanOrEqual(item.qty_invoiced);
}

describe('generateMagentoOrders', () => {
  const corpus = generateMagentoOrders({ seed: 5, count: 440 });

  it('is deterministic per seed', () => {
    expect(JSON.stringify(generateMagentoOrders({ seed: 5, count: 440 }).events)).toBe(JSON.stringify(corpus.events));
  });

  it('covers every configuration, product type, scenario and tender', () => {
    expect(new Set(corpus.orders.map((o) => o.configuration))).toEqual(
      new Set(STORE_CONFIGURATIONS.map((c) => c.name)),
    );
    const types = new Set(corpus.orders.flatMap((o) => o.order.items.map((i) => i.product_type)));
    expect([...types].sort()).toEqual(['bundle', 'configurable', 'downloadable', 'simple', 'virtual']);
    expect(new Set(corpus.orders.map((o) => o.scenario)).size).toBe(6);
    expect(corpus.orders.some((o) => o.order.extension_attributes.customer_balance_amount > 0)).toBe(true);
    expect(corpus.orders.some((o) => o.order.extension_attributes.gift_cards_amount > 0)).toBe(true);
    expect(corpus.orders.some((o) => o.order.discount_tax_compensation_amount > 0)).toBe(true);
    expect(corpus.orders.some((o) => o.order.shipping_discount_amount > 0)).toBe(true);
    expect(corpus.orders.some((o) => o.order.is_virtual === 1)).toBe(true);
    expect(corpus.orders.some((o) => o.creditMemos.some((m) => m.adjustment_negative > 0))).toBe(true);
    expect(corpus.orders.some((o) => o.invoices.length > 1)).toBe(true);
  });

  it('keeps Magento identities on every order, invoice and credit memo', () => {
    for (const o of corpus.orders) checkOrder(o);
  });

  it('produces payloads that pass the v1 contracts', () => {
    for (const e of corpus.events) {
      const parsed = payloadSchemas[e.entity].safeParse(e.payload);
      if (!parsed.success) throw new Error(`${e.entity} ${e.entityId}: ${parsed.error.message}`);
    }
  });

  it('keeps the identities for any seed and mix of configurations', () => {
    const names = STORE_CONFIGURATIONS.map((c) => c.name);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.subarray(names, { minLength: 1 }), (seed, chosen) => {
        for (const o of generateMagentoOrders({ seed, configurations: chosen, count: 25 }).orders) checkOrder(o);
      }),
      { numRuns: 30 },
    );
  });
});
