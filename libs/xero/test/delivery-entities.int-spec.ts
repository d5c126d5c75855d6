import { randomUUID } from 'node:crypto';
import type { EntityName, EntityPayloads, MagentoCreditMemo, MagentoInvoice, MagentoOrder } from '@xero-sync/contracts';
import { generateStore } from '@xero-sync/testing';
import { DeliveryItem } from '@xero-sync/xero';
import { bootXeroApp, deliverToStore, xeroWorld, XeroWorld } from './xero-test-app';

const make = <E extends EntityName>(entity: E, entityId: string, payload: EntityPayloads[E]): DeliveryItem => ({
  entity,
  entityId,
  payload,
  eventId: randomUUID(),
});

describe('XeroDeliveryService against the sandbox (entities, idempotency, lost answers)', () => {
  let w: XeroWorld;
  const store = generateStore({ seed: 21, customers: 8, products: 8, orders: 100 });

  beforeAll(async () => {
    w = await xeroWorld({ timeScale: 30 });
  });
  afterAll(async () => {
    await w?.close();
  });

  const deliver = (items: DeliveryItem[]) => deliverToStore(w.x, w.storeId, items, { priority: 'normal' });
  const paidOrder = (currency: string) =>
    store.orders.find((o) => store.scenarios[o.increment_id] === 'paid' && o.order_currency_code === currency)!;
  /** Xero commits the next write to `pathPrefix` but its answer is lost. */
  const loseNextAnswer = (pathPrefix: string) =>
    w.sandbox.control.addFault({ kind: 'drop-after-commit', count: 1, tenantId: w.tenantId, pathPrefix });

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

  it('a captured store invoice authorises its Xero invoice although the order last said "new", then pays it', async () => {
    // a copy of a paid order under numbers of its own: the other tests use the store's orders
    const base = paidOrder('NZD');
    const order = { ...base, entity_id: 990_001, increment_id: 'AUTH-990001' };
    const asNew = { ...order, state: 'new' as const, total_paid: 0 };
    const [draft] = await deliver([make('order', String(order.entity_id), asNew)]);
    expect(draft.status).toBe('synced');
    const number = `MI-${order.increment_id}`;
    let inv = (await w.sandbox.control.dump(w.tenantId)).invoices.find((i) => i.InvoiceNumber === number)!;
    expect(inv.Status).toBe('DRAFT');
    // the store invoice arrives; the order update saying "processing" never does
    const payments = store.invoices
      .filter((i) => i.order_id === base.entity_id)
      .map((i, n) => ({ ...i, entity_id: 990_100 + n, increment_id: `AUTH-P${n}`, order_id: order.entity_id }));
    const results = await deliver(payments.map((i) => make('invoice', String(i.entity_id), i)));
    expect(results.map((r) => r.status)).toEqual(payments.map(() => 'synced'));
    const dump = await w.sandbox.control.dump(w.tenantId);
    inv = dump.invoices.find((i) => i.InvoiceNumber === number)!;
    expect(inv.Status).toBe('PAID');
    expect(dump.payments.filter((p) => p.Invoice?.InvoiceID === inv.InvoiceID)).toHaveLength(payments.length);
    // a later copy of the order still saying "new" does not try to take the invoice back to draft
    const [again] = await deliver([make('order', String(order.entity_id), asNew)]);
    expect(['synced', 'unchanged']).toContain(again.status);
    expect((await w.sandbox.control.dump(w.tenantId)).invoices.find((i) => i.InvoiceNumber === number)!.Status).toBe(
      'PAID',
    );
  });

  it('one unmappable record fails alone with the reason; every other record of the batch is delivered', async () => {
    const base = store.orders.filter((o) => store.scenarios[o.increment_id] === 'paid').slice(0, 4);
    const orders = base.map((o, n) => ({ ...o, entity_id: 991_000 + n, increment_id: `ONE-BAD-${n}` }));
    // the second order was taxed at a rate the store never mapped to a Xero tax type
    orders[1] = { ...orders[1], items: orders[1].items.map((i) => ({ ...i, tax_percent: 9 })) };
    const results = await deliver(orders.map((o) => make('order', String(o.entity_id), o)));
    expect(results.map((r) => r.status)).toEqual(['synced', 'failed', 'synced', 'synced']);
    expect(results[1].message).toMatch(/no Xero tax type mapped for 9%/);
    const dump = await w.sandbox.control.dump(w.tenantId);
    for (const [n, o] of orders.entries())
      expect(dump.invoices.filter((i) => i.InvoiceNumber === `MI-${o.increment_id}`)).toHaveLength(n === 1 ? 0 : 1);
  });

  it('retries a write whose answer was lost without a duplicate (drop-after-commit)', async () => {
    const order = paidOrder('USD');
    await loseNextAnswer('/Invoices');
    const [lost] = await deliver([make('order', String(order.entity_id), order)]);
    expect(lost.status).toBe('failed');
    expect(lost.error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const [retried] = await deliver([make('order', String(order.entity_id), order)]);
    expect(retried).toMatchObject({ status: 'synced', message: 'OK' });
    const dump = await w.sandbox.control.dump(w.tenantId);
    expect(dump.invoices.filter((i) => i.InvoiceNumber === `MI-${order.increment_id}`)).toHaveLength(1);
  });

  it('never double-pays: a payment whose answer was lost is found by Reference before any retry', async () => {
    const order = paidOrder('NZD');
    const payment = store.invoices.find((i) => i.order_id === order.entity_id)!;
    await deliver([make('order', String(order.entity_id), order)]);
    await loseNextAnswer('/Payments');
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

  // Overlapping deliveries of one record happen in production (a consumer rebalance hands an event to a new
  // owner while the old one is still writing it; a timed-out delivery is still finishing when the item is
  // retried). Xero forgets an Idempotency-Key, and a batch's key differs with its composition anyway, so only
  // the per-record claim stands between them and a second payment.
  it('two instances delivering the same payments at once never double-pay: the record is claimed by one', async () => {
    const paid = store.orders.filter((o) => store.scenarios[o.increment_id] === 'paid').slice(1, 7);
    expect(paid).toHaveLength(6);
    const payments = store.invoices.filter((i) => paid.some((o) => o.entity_id === i.order_id));
    await deliver(paid.map((o) => make('order', String(o.entity_id), o)));
    const other = await bootXeroApp({ ...w.env, SYNCER_INSTANCE_ID: 'second-instance' });
    try {
      // Slow answers make the overlap certain rather than lucky.
      await w.sandbox.control.addFault({ kind: 'latency', ms: 400, durationMs: 20_000, pathPrefix: '/Payments' });
      const items = () => payments.map((i) => make('invoice', String(i.entity_id), i));
      // Batches of different composition, so their Idempotency-Keys differ as they would in production.
      const runs = await Promise.all([
        deliver(items()),
        deliverToStore(other, w.storeId, items().reverse(), { priority: 'normal' }),
        deliver(items().slice(0, 3)),
      ]);
      await w.sandbox.control.clearFaults();
      for (const p of payments) {
        const outcomes = runs.flat().filter((r) => r.entityId === String(p.entity_id));
        // Exactly one run paid it; the others were told another delivery holds it (or saw it already paid).
        expect(outcomes.filter((o) => o.status === 'synced' && o.action === 'payment')).toHaveLength(1);
        for (const o of outcomes.filter((x) => x.action !== 'payment'))
          expect(o.status === 'unchanged' || (o.status === 'deferred' && /another delivery/.test(o.message))).toBe(
            true,
          );
      }
      const again = await deliverToStore(other, w.storeId, items(), { priority: 'normal' });
      expect(again.every((r) => r.status === 'unchanged')).toBe(true);
      const dump = await w.sandbox.control.dump(w.tenantId);
      for (const o of paid) {
        const inv = dump.invoices.find((i) => i.InvoiceNumber === `MI-${o.increment_id}`)!;
        const live = dump.payments.filter((p) => p.Invoice?.InvoiceID === inv.InvoiceID && p.Status !== 'DELETED');
        expect(live).toHaveLength(payments.filter((i) => i.order_id === o.entity_id).length);
        expect(inv.Status).toBe('PAID');
      }
    } finally {
      await w.sandbox.control.clearFaults();
      await other.app.close();
    }
  });

  it('starts no Xero call after its deadline: unreached records are deferred, then delivered once', async () => {
    // Fresh orders (new customer, new SKUs), so the run must write contacts, then items, then invoices.
    const late: MagentoOrder[] = store.orders
      .filter((o) => store.scenarios[o.increment_id] === 'paid')
      .slice(7, 9)
      .map((o, k) => ({
        ...o,
        entity_id: 9100 + k,
        increment_id: `${o.increment_id}T`,
        customer_id: 5100 + k,
        customer_is_guest: false,
        customer_email: `deadline-${k}@example.test`,
        items: o.items.map((i) => ({ ...i, sku: `${i.sku}-T${k}` })),
      }));
    expect(late).toHaveLength(2);
    const items = () => late.map((o) => make('order', String(o.entity_id), o));
    const numbers = late.map((o) => `MI-${o.increment_id}`);
    // Every call takes 700 ms: the contacts call and the items call start in time, the invoices call would not.
    await w.sandbox.control.addFault({ kind: 'latency', ms: 700, durationMs: 20_000, tenantId: w.tenantId });
    let cut;
    try {
      cut = await deliverToStore(w.x, w.storeId, items(), { priority: 'normal', timeoutMs: 1_000 });
    } finally {
      await w.sandbox.control.clearFaults();
    }
    expect(cut.map((r) => r.status)).toEqual(['deferred', 'deferred']);
    expect(cut[0].message).toMatch(/ran out of time/);
    const before = await w.sandbox.control.dump(w.tenantId);
    expect(before.invoices.filter((i) => numbers.includes(i.InvoiceNumber))).toHaveLength(0);
    const done = await deliver(items());
    expect(done.map((r) => r.status)).toEqual(['synced', 'synced']);
    const after = await w.sandbox.control.dump(w.tenantId);
    for (const n of numbers) expect(after.invoices.filter((i) => i.InvoiceNumber === n)).toHaveLength(1);
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

  // Immediately mode can see a refund of the first store invoice before the order's second store invoice.
  it('refunds a credit memo of paid money in cash, so later store invoices of the order can still be paid', async () => {
    const firstPaid = (orderId: number) =>
      store.invoices.filter((i) => i.order_id === orderId).sort((a, b) => b.grand_total - a.grand_total)[0];
    const order = store.orders.find((o) => {
      const memo = store.creditMemos.find((m) => m.order_id === o.entity_id);
      return (
        store.scenarios[o.increment_id] === 'partial-invoices-refund' &&
        memo !== undefined &&
        memo.grand_total <= firstPaid(o.entity_id).grand_total
      );
    })!;
    const memo: MagentoCreditMemo = store.creditMemos.find((m) => m.order_id === order.entity_id)!;
    const paid = firstPaid(order.entity_id);
    const later = store.invoices.filter((i) => i.order_id === order.entity_id && i !== paid);
    expect(later.length).toBeGreaterThan(0);
    const first = await deliver([
      make('order', String(order.entity_id), order),
      make('invoice', String(paid.entity_id), paid),
      make('creditmemo', String(memo.entity_id), memo),
    ]);
    expect(first.map((r) => r.status)).toEqual(['synced', 'synced', 'synced']);
    expect(first[2].action).not.toBe('allocate');
    const rest = await deliver(later.map((i) => make('invoice', String(i.entity_id), i)));
    expect(rest.map((r) => [r.status, r.message])).toEqual(later.map(() => ['synced', 'OK']));
    const dump = await w.sandbox.control.dump(w.tenantId);
    const xInv = dump.invoices.find((i) => i.InvoiceNumber === `MI-${order.increment_id}`)!;
    expect(xInv).toMatchObject({ AmountDue: 0, AmountPaid: order.grand_total, AmountCredited: 0 });
    const cn = dump.creditNotes.find((c) => c.CreditNoteNumber === `MCN-${memo.increment_id}`)!;
    expect(dump.payments.filter((p) => p.CreditNote?.CreditNoteID === cn.CreditNoteID)).toHaveLength(1);
  });

  it('holds back a credit memo whose store invoice in the same delivery did not reach Xero', async () => {
    const order = [...store.orders].reverse().find((o) => store.scenarios[o.increment_id] === 'partial-refund')!;
    const inv = store.invoices.find((i) => i.order_id === order.entity_id)!;
    // Xero refuses this payment (more than the invoice's total), so the refund must not take its place.
    const refused: MagentoInvoice = { ...inv, grand_total: order.grand_total + 100 };
    const memo: MagentoCreditMemo = {
      ...store.creditMemos.find((m) => m.order_id === order.entity_id)!,
      invoice_id: inv.entity_id,
    };
    const r = await deliver([
      make('order', String(order.entity_id), order),
      make('invoice', String(inv.entity_id), refused),
      make('creditmemo', String(memo.entity_id), memo),
    ]);
    expect(r.map((x) => x.status)).toEqual(['synced', 'failed', 'waiting']);
    expect(r[2].message).toContain(`store invoice ${inv.entity_id}`);
    const dump = await w.sandbox.control.dump(w.tenantId);
    const xInv = dump.invoices.find((i) => i.InvoiceNumber === `MI-${order.increment_id}`)!;
    expect(xInv.AmountCredited).toBe(0);
    expect(dump.creditNotes.filter((c) => c.CreditNoteNumber === `MCN-${memo.increment_id}`)).toHaveLength(0);
  });

  it('holds a credit memo naming no store invoice until the payment its order reports is in Xero', async () => {
    const order = store.orders.find((o) => store.scenarios[o.increment_id] === 'full-refund')!;
    const inv = store.invoices.find((i) => i.order_id === order.entity_id)!;
    const memo: MagentoCreditMemo = store.creditMemos.find((m) => m.order_id === order.entity_id)!;
    expect(memo.invoice_id ?? null).toBeNull();
    expect(order.total_paid).toBe(order.grand_total);
    // The memo overtakes the store invoice (another topic): the order says it was paid, Xero has no payment yet.
    const early = await deliver([
      make('order', String(order.entity_id), order),
      make('creditmemo', String(memo.entity_id), memo),
    ]);
    expect(early.map((r) => r.status)).toEqual(['synced', 'waiting']);
    expect(early[1].message).toContain("waiting for the order's payment");
    let dump = await w.sandbox.control.dump(w.tenantId);
    expect(dump.creditNotes.filter((c) => c.CreditNoteNumber === `MCN-${memo.increment_id}`)).toHaveLength(0);
    const [paid] = await deliver([make('invoice', String(inv.entity_id), inv)]);
    expect(paid).toMatchObject({ status: 'synced', message: 'OK' });
    const [later] = await deliver([make('creditmemo', String(memo.entity_id), memo)]);
    expect(later.status).toBe('synced');
    expect(later.action).not.toBe('allocate');
    dump = await w.sandbox.control.dump(w.tenantId);
    const xInv = dump.invoices.find((i) => i.InvoiceNumber === `MI-${order.increment_id}`)!;
    expect(xInv).toMatchObject({ AmountPaid: order.grand_total, AmountCredited: 0, AmountDue: 0 });
    const cn = dump.creditNotes.find((c) => c.CreditNoteNumber === `MCN-${memo.increment_id}`)!;
    expect(dump.payments.filter((p) => p.CreditNote?.CreditNoteID === cn.CreditNoteID)).toHaveLength(1);
  });

  it('records no payment for a free store invoice (Xero refuses a zero payment)', async () => {
    const order = [...store.orders].reverse().find((o) => store.scenarios[o.increment_id] === 'paid')!;
    const inv: MagentoInvoice = { ...store.invoices[0], entity_id: 990001, order_id: order.entity_id, grand_total: 0 };
    const [o, i] = await deliver([
      make('order', String(order.entity_id), order),
      make('invoice', String(inv.entity_id), inv),
    ]);
    expect(['synced', 'unchanged']).toContain(o.status);
    expect(i).toMatchObject({ status: 'synced', action: 'none' });
    const dump = await w.sandbox.control.dump(w.tenantId);
    const xInv = dump.invoices.find((x) => x.InvoiceNumber === `MI-${order.increment_id}`)!;
    expect(dump.payments.filter((p) => p.Invoice?.InvoiceID === xInv.InvoiceID)).toHaveLength(0);
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
