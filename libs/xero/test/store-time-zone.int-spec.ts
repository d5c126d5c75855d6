import { randomUUID } from 'node:crypto';
import type { MagentoInvoice, MagentoOrder } from '@xero-sync/contracts';
import { generateStore } from '@xero-sync/testing';
import { deliverToStore, xeroWorld, XeroWorld } from './xero-test-app';

/**
 * A New Zealand store (time zone Pacific/Auckland, as the pull backfill fills it from Magento's store
 * configuration): an order placed at 09:00 local time, which is the evening before in UTC, is dated that local day
 * in Xero, and so is the payment of its store invoice.
 */
describe('documents dated on the store’s local day (sandbox)', () => {
  let w: XeroWorld;

  beforeAll(async () => {
    w = await xeroWorld();
    const current = await w.x.settings.get(w.storeId);
    await w.x.settings.save({ ...current, mapping: { ...current.mapping, timeZone: 'Pacific/Auckland' } }, 'test');
  });
  afterAll(async () => {
    await w?.close();
  });

  it('dates a 09:00 NZ order and its payment on the NZ day, not the UTC day before', async () => {
    const store = generateStore({ seed: 5, customers: 2, products: 3, orders: 12 });
    const order = store.orders.find(
      (o) => o.state !== 'canceled' && store.invoices.some((i) => i.order_id === o.entity_id),
    )!;
    // 09:00 on 2 March in Auckland (NZDT, UTC+13) is 20:00 on 1 March in UTC.
    const placed: MagentoOrder = { ...order, created_at: '2026-03-01 20:00:00' };
    const inv = store.invoices.find((i) => i.order_id === order.entity_id)!;
    const captured: MagentoInvoice = { ...inv, created_at: '2026-03-01 20:05:00' };
    const items = [
      ...store.latest.filter((e) => e.entity === 'customer' || e.entity === 'product'),
      { entity: 'order' as const, entityId: String(order.entity_id), payload: placed },
      { entity: 'invoice' as const, entityId: String(inv.entity_id), payload: captured },
    ].map((e) => ({ entity: e.entity, entityId: e.entityId, payload: e.payload, eventId: randomUUID() }));
    const results = await deliverToStore(w.x, w.storeId, items, { priority: 'interactive' });
    expect(results.filter((r) => r.status !== 'synced' && r.status !== 'unchanged')).toEqual([]);

    const dump = await w.sandbox.control.dump(w.tenantId);
    const xeroInvoice = dump.invoices.find((i) => i.InvoiceNumber === `MI-${order.increment_id}`)!;
    expect(String(xeroInvoice.DateString).slice(0, 10)).toBe('2026-03-02');
    const payment = dump.payments.find((p) => p.Reference === inv.increment_id)!;
    expect(String(payment.DateString ?? payment.Date)).toMatch(/2026-03-02|\/Date\(1772409600000/);
  });
});
