import { randomUUID } from 'node:crypto';
import type { EntityName, EntityPayloads, MagentoCreditMemo, MagentoInvoice, MagentoOrder } from '@xero-sync/contracts';
import { generateStore } from '@xero-sync/testing';
import { DeliveryItem } from '@xero-sync/xero';
import { xeroWorld, XeroWorld } from './xero-test-app';

const make = <E extends EntityName>(entity: E, entityId: string, payload: EntityPayloads[E]): DeliveryItem => ({
  entity,
  entityId,
  payload,
  eventId: randomUUID(),
});

describe('XeroDeliveryService against the sandbox (entities, idempotency, lost answers)', () => {
  let w: XeroWorld;
  const store = generateStore({ seed: 21, customers: 8, products: 8, orders: 60 });

  beforeAll(async () => {
    w = await xeroWorld({ timeScale: 30 });
  });
  afterAll(async () => {
    await w?.close();
  });

  const deliver = (items: DeliveryItem[]) => w.x.delivery.deliver(w.storeId, items, { priority: 'normal' });

  it('creates, updates and re-sends every entity type without duplicates', async () => {
    const customer = store.customers[0];
    const product = store.products.find((p) => p.sku.length > 30)!;
    const [c1, p1] = await deliver([
      make('customer', String(customer.id), customer),
      make('product', product.sku, product),
    ]);
    expect(c1).toMatchObject({ status: 'synced', action: 'create' });
    expect(p1).toMatchObject({ status: 'synced', action: 'create' });
    expect(c1.xeroUrl).toContain(`shortcode=${w.shortCode}`);
    // re-send: unchanged content costs no call
    const before = (await w.sandbox.control.counters(w.tenantId)).total;
    const again = await deliver([
      make('customer', String(customer.id), customer),
      make('product', product.sku, product),
    ]);
    expect(again.map((r) => r.status)).toEqual(['unchanged', 'unchanged']);
    expect((await w.sandbox.control.counters(w.tenantId)).total).toBe(before);
    // update
    const [c2] = await deliver([make('customer', String(customer.id), { ...customer, lastname: 'Renamed' })]);
    expect(c2).toMatchObject({ status: 'synced', action: 'update', xeroId: c1.xeroId });
    const dump = await w.sandbox.control.dump(w.tenantId);
    expect(dump.contacts.filter((c) => c.ContactNumber === `MC-${customer.id}`)).toHaveLength(1);
    expect(dump.contacts.find((c) => c.ContactNumber === `MC-${customer.id}`)!.LastName).toBe('Renamed');
    expect(
      dump.items.filter((i) => String(i.Code).length <= 30 && i.Code.startsWith(product.sku.slice(0, 21))),
    ).toHaveLength(1);
  });

  it('delivers a paid order with its contact and items derived, payment and refund, re-sending nothing twice', async () => {
    const no = Object.entries(store.scenarios).find(([, s]) => s === 'partial-refund')![0];
    const order = store.orders.find((o) => o.increment_id === no)!;
    const invoices = store.invoices.filter((i) => i.order_id === order.entity_id);
    const memos = store.creditMemos.filter((m) => m.order_id === order.entity_id);
    const items = [
      make('order', String(order.entity_id), order),
      ...invoices.map((i) => make('invoice', String(i.entity_id), i)),
      ...memos.map((m) => make('creditmemo', String(m.entity_id), m)),
    ];
    const first = await deliver(items);
    expect(first.map((r) => r.status)).toEqual(items.map(() => 'synced'));
    const second = await deliver(items);
    expect(second.map((r) => r.status)).toEqual(items.map(() => 'unchanged'));
    const dump = await w.sandbox.control.dump(w.tenantId);
    const inv = dump.invoices.filter((i) => i.InvoiceNumber === `MI-${order.increment_id}`);
    expect(inv).toHaveLength(1);
    expect(inv[0].Total).toBe(order.grand_total);
    expect(dump.payments.filter((p) => p.Invoice?.InvoiceID === inv[0].InvoiceID)).toHaveLength(invoices.length);
    const cn = dump.creditNotes.filter((c) => c.CreditNoteNumber === `MCN-${memos[0].increment_id}`);
    expect(cn).toHaveLength(1);
    expect(cn[0].Total).toBe(memos[0].grand_total);
  });

  it('retries a write whose answer was lost without a duplicate (drop-after-commit)', async () => {
    const order = store.orders.find(
      (o) => store.scenarios[o.increment_id] === 'paid' && o.order_currency_code === 'USD',
    )!;
    await w.sandbox.control.addFault({
      kind: 'drop-after-commit',
      count: 1,
      tenantId: w.tenantId,
      pathPrefix: '/Invoices',
    });
    const [lost] = await deliver([make('order', String(order.entity_id), order)]);
    expect(lost.status).toBe('failed');
    expect(lost.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const [retried] = await deliver([make('order', String(order.entity_id), order)]);
    expect(retried).toMatchObject({ status: 'synced', message: 'OK' });
    const dump = await w.sandbox.control.dump(w.tenantId);
    expect(dump.invoices.filter((i) => i.InvoiceNumber === `MI-${order.increment_id}`)).toHaveLength(1);
  });

  it('never double-pays: a payment whose answer was lost is found by Reference before any retry', async () => {
    const order = store.orders.find(
      (o) => store.scenarios[o.increment_id] === 'paid' && o.order_currency_code === 'NZD',
    )!;
    const payment = store.invoices.find((i) => i.order_id === order.entity_id)!;
    await deliver([make('order', String(order.entity_id), order)]);
    await w.sandbox.control.addFault({
      kind: 'drop-after-commit',
      count: 1,
      tenantId: w.tenantId,
      pathPrefix: '/Payments',
    });
    const [lost] = await deliver([make('invoice', String(payment.entity_id), payment)]);
    expect(lost.status).toBe('failed');
    // wait past the idempotency window so only our own Reference check can prevent a second payment
    await w.sandbox.control.advanceTime(10 * 60_000);
    const [retry] = await deliver([make('invoice', String(payment.entity_id), payment)]);
    expect(retry).toMatchObject({ status: 'synced', action: 'payment' });
    const [again] = await deliver([make('invoice', String(payment.entity_id), payment)]);
    expect(again.status).toBe('unchanged');
    const dump = await w.sandbox.control.dump(w.tenantId);
    const inv = dump.invoices.find((i) => i.InvoiceNumber === `MI-${order.increment_id}`)!;
    expect(dump.payments.filter((p) => p.Invoice?.InvoiceID === inv.InvoiceID && p.Status !== 'DELETED')).toHaveLength(
      1,
    );
    expect(inv.Status).toBe('PAID');
    // a paid invoice is never edited, even when the store sends a changed order
    const changed: MagentoOrder = {
      ...order,
      customer_firstname: 'Changed',
      items: order.items.map((i, n) => (n === 0 ? { ...i, name: `${i.name} v2` } : i)),
    };
    const [edit] = await deliver([make('order', String(order.entity_id), changed)]);
    expect(edit).toMatchObject({ status: 'synced', action: 'none' });
    const after = (await w.sandbox.control.dump(w.tenantId)).invoices.find(
      (i) => i.InvoiceNumber === `MI-${order.increment_id}`,
    )!;
    expect(after.LineItems[0].Description).toBe(inv.LineItems[0].Description);
  });

  it('cancellation deletes a draft, voids an unpaid authorised invoice and leaves a paid one alone', async () => {
    const pending = store.orders.filter((o) => store.scenarios[o.increment_id] === 'pending').slice(0, 1)[0];
    const draft = { ...pending, increment_id: `${pending.increment_id}D`, entity_id: 9001 } as MagentoOrder;
    const authorised = {
      ...pending,
      increment_id: `${pending.increment_id}A`,
      entity_id: 9002,
      state: 'processing',
    } as MagentoOrder;
    const r = await deliver([make('order', '9001', draft), make('order', '9002', authorised)]);
    expect(r.map((x) => x.status)).toEqual(['synced', 'synced']);
    const c = await deliver([
      make('order', '9001', { ...draft, state: 'canceled' }),
      make('order', '9002', { ...authorised, state: 'canceled' }),
    ]);
    expect(c.map((x) => x.action)).toEqual(['delete', 'void']);
    const dump = await w.sandbox.control.dump(w.tenantId);
    expect(dump.invoices.find((i) => i.InvoiceNumber === `MI-${draft.increment_id}`)!.Status).toBe('DELETED');
    expect(dump.invoices.find((i) => i.InvoiceNumber === `MI-${authorised.increment_id}`)!.Status).toBe('VOIDED');
    // a never-synced cancelled order posts nothing
    const canceled = store.orders.find((o) => store.scenarios[o.increment_id] === 'canceled')!;
    const [none] = await deliver([make('order', String(canceled.entity_id), canceled)]);
    expect(none).toMatchObject({ status: 'synced', action: 'none' });
  });

  it('allocates a credit note to an invoice with an amount due (on-account order), and previews without calling', async () => {
    const order = store.orders.find((o) => store.scenarios[o.increment_id] === 'on-account-refund')!;
    const inv: MagentoInvoice = store.invoices.find((i) => i.order_id === order.entity_id)!;
    const memo: MagentoCreditMemo = store.creditMemos.find((m) => m.order_id === order.entity_id)!;
    const before = (await w.sandbox.control.counters(w.tenantId)).total;
    const preview = await w.x.dryRun.preview(w.storeId, make('order', String(order.entity_id), order));
    expect(preview.totals.total).toBe(order.grand_total);
    expect((await w.sandbox.control.counters(w.tenantId)).total).toBe(before);
    const r = await deliver([
      make('order', String(order.entity_id), order),
      make('invoice', String(inv.entity_id), inv),
      make('creditmemo', String(memo.entity_id), memo),
    ]);
    expect(r.map((x) => x.status)).toEqual(['synced', 'synced', 'synced']);
    expect(r[2].action).toBe('allocate');
    const dump = await w.sandbox.control.dump(w.tenantId);
    const xInv = dump.invoices.find((i) => i.InvoiceNumber === `MI-${order.increment_id}`)!;
    expect(xInv.AmountCredited).toBe(memo.grand_total);
    expect(
      dump.allocations.filter((a) => a.Invoice?.InvoiceID === xInv.InvoiceID || a.InvoiceID === xInv.InvoiceID),
    ).toHaveLength(1);
  });
});
