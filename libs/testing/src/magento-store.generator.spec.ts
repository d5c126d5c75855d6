import { payloadSchemas } from '@xero-sync/contracts';
import { generateStore } from './magento-store.generator';

describe('generateStore', () => {
  const store = generateStore({ seed: 7, customers: 30, products: 25, orders: 200 });

  it('is deterministic for a seed', () => {
    expect(JSON.stringify(generateStore({ seed: 7, customers: 30, products: 25, orders: 200 }).events)).toBe(
      JSON.stringify(store.events),
    );
  });

  it('produces payloads that pass the v1 contracts', () => {
    for (const e of store.events) {
      const parsed = payloadSchemas[e.entity].safeParse(e.payload);
      if (!parsed.success) throw new Error(`${e.entity} ${e.entityId}: ${parsed.error.message}`);
    }
  });

  it('keeps Magento identities: grand total = subtotal + shipping + tax − discount, invoices sum to it', () => {
    for (const incl of [false, true]) {
      const s = generateStore({ seed: 11, orders: 150, pricesIncludeTax: incl });
      for (const o of s.orders) {
        const comp = (o as { discount_tax_compensation_amount?: number }).discount_tax_compensation_amount ?? 0;
        const identity = o.subtotal + o.shipping_amount + o.tax_amount + o.discount_amount + comp;
        expect(Math.abs(identity - o.grand_total)).toBeLessThan(0.005);
        const invoiced = s.invoices.filter((i) => i.order_id === o.entity_id).reduce((a, i) => a + i.grand_total, 0);
        if (invoiced > 0) expect(Math.abs(invoiced - o.grand_total)).toBeLessThan(0.005);
        const refunded = s.creditMemos.filter((m) => m.order_id === o.entity_id).reduce((a, m) => a + m.grand_total, 0);
        expect(refunded).toBeLessThanOrEqual(invoiced + 0.005);
      }
    }
  });

  it('covers the mixes the accounting corpus needs', () => {
    const s = generateStore({ seed: 3, orders: 400 });
    const currencies = new Set(s.orders.map((o) => o.order_currency_code));
    expect([...currencies].sort()).toEqual(['AUD', 'NZD', 'USD']);
    expect(s.products.some((p) => p.sku.length > 30)).toBe(true);
    expect(s.orders.some((o) => o.customer_is_guest)).toBe(true);
    expect(new Set(Object.values(s.scenarios)).size).toBe(8);
    expect(s.orders.some((o) => o.items.some((i) => !Number.isInteger(i.qty_ordered)))).toBe(true);
    expect(s.orders.some((o) => o.shipping_amount > 0 && o.shipping_tax_amount === 0)).toBe(true);
    expect(s.creditMemos.some((m) => m.adjustment_negative > 0 || m.adjustment_positive > 0)).toBe(true);
  });

  it('lists each customer and product before the first order that uses it', () => {
    const seen = new Set<string>();
    for (const e of store.events) {
      if (e.entity === 'order') {
        const o = e.payload as { customer_id?: number | null; items: { sku: string }[] };
        if (o.customer_id) expect(seen.has(`customer:${o.customer_id}`)).toBe(true);
        for (const i of o.items) expect(seen.has(`product:${i.sku}`)).toBe(true);
      }
      seen.add(`${e.entity}:${e.entityId}`);
    }
  });
});
