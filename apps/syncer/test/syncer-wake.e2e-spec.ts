import { INestApplication } from '@nestjs/common';
import { StoreSettingsRepository, SyncLogRepository } from '@xero-sync/persistence';
import { eventually } from '@xero-sync/testing';
import {
  envelope,
  fixtureEvents,
  makeCustomer,
  makeInvoice,
  makeOrder,
  makeProduct,
  makeStore,
} from './support/store-fixtures';
import {
  bootSyncer,
  collection,
  connectStore,
  countersOf,
  dumpOf,
  publishEvents,
  setupSyncerEnv,
  SyncerTestEnv,
  teardownSyncerEnv,
  xeroContext,
  countRecords,
} from './support/syncer-harness';

/** Writes (PUT or POST) the sandbox counted for an org to endpoints matching `resource`. */
function writesTo(counters: { byEndpoint: Record<string, number> }, resource: RegExp): number {
  return Object.entries(counters.byEndpoint)
    .filter(([endpoint]) => /^(PUT|POST)\b/.test(endpoint) && resource.test(endpoint))
    .reduce((sum, [, n]) => sum + n, 0);
}

// Immediately mode: a record parked as waiting is tried again as soon as a record of its store reaches Xero. The
// flusher's back-off is ten minutes here, so only that wake-up can deliver it within the test.
describe('syncer Immediately wake-up', () => {
  let t: SyncerTestEnv;
  let syncer: { app: INestApplication; url: string };
  let tenantId: string;
  let horizonTenant: string;
  const tenants: Record<string, string> = {};

  beforeAll(async () => {
    t = await setupSyncerEnv({
      timeScale: 60,
      extraEnv: { SYNCER_RETRY_BASE_MS: '600000', SYNCER_RETRY_MAX_MS: '600000' },
    });
    tenantId = await connectStore(t, 'store-wake', { mode: 'immediate' });
    tenants.cron = await connectStore(t, 'store-wake-cron', { mode: 'cron', cronIntervalMinutes: 1 });
    horizonTenant = await connectStore(t, 'store-horizon', { mode: 'immediate' });
    const ctx = await xeroContext(t);
    try {
      // A horizon of 3 s (operators set whole minutes; the setting itself takes any length).
      const repo = ctx.get(StoreSettingsRepository);
      await repo.save({ ...(await repo.get('store-horizon')), waitHorizonMinutes: 0.05 }, 'wake-e2e');
    } finally {
      await ctx.close();
    }
    syncer = await bootSyncer(t);
  });

  afterAll(async () => {
    await syncer?.app.close();
    await teardownSyncerEnv(t);
  });

  it('a store invoice that overtook its order is paid as soon as the order is in Xero, not after its back-off', async () => {
    const fixture = makeStore({ orders: 1, customers: 1, products: 1, invoiced: 1, tag: 'wk', idBase: 900 });
    const events = fixtureEvents('store-wake', fixture);
    const invoice = events.filter((e) => e.entity === 'invoice');
    expect(invoice).toHaveLength(1);
    const invoiceId = invoice[0].entityId;
    await publishEvents(t, invoice);
    const parked = await eventually(
      async () =>
        (await collection(t, 'pending_changes').findOne({
          storeId: 'store-wake',
          entity: 'invoice',
          entityId: invoiceId,
          status: 'waiting',
        })) ?? undefined,
      30000,
      200,
    );
    expect(String(parked.waitingOn)).toContain('not in Xero yet');

    await publishEvents(
      t,
      events.filter((e) => e.entity !== 'invoice'),
    );
    await eventually(
      async () => (await countRecords(t, 'store-wake', { status: 'synced' })) === events.length,
      30000,
      200,
    );
    const rows = await collection(t, 'sync_log')
      .find({ storeId: 'store-wake', entity: 'invoice', entityId: invoiceId })
      .sort({ createdAt: 1 })
      .toArray();
    expect(rows.map((r) => [r.mode, r.status, r.attempt])).toEqual([
      ['immediate', 'waiting', 1],
      ['immediate', 'success', 2],
    ]);
    const dump = await dumpOf(t, tenantId);
    const xeroInvoice = dump.invoices.find((i) => String(i.InvoiceNumber).endsWith(fixture.orders[0].increment_id))!;
    expect(Number(xeroInvoice.AmountPaid)).toBeCloseTo(fixture.invoices[0].grand_total, 2);
    expect(
      dump.payments.filter(
        (p) => (p.Invoice as { InvoiceID?: string } | undefined)?.InvoiceID === xeroInvoice.InvoiceID,
      ),
    ).toHaveLength(1);
  });

  // A captured store invoice never waits on a DRAFT order (delivery authorises the order's Xero invoice for it), so
  // what a Cron Job store invoice waits on is its order not having reached Xero at all.
  it('Cron Job: a store invoice whose order comes later waits for it without an attempt and is paid as soon as the order is in Xero', async () => {
    const storeId = 'store-wake-cron';
    const customer = makeCustomer(950, 'wc');
    const products = [makeProduct(950, 'WC')];
    const order = makeOrder(950, customer, products, { state: 'processing' });
    const invoice = makeInvoice(950, order);
    const invoiceKey = `${storeId}|invoice|${invoice.entity_id}`;
    const orderKey = `${storeId}|order|${order.entity_id}`;
    const at = Date.now();
    await publishEvents(t, [
      envelope(storeId, 'customer', String(customer.id), customer, new Date(at)),
      envelope(storeId, 'product', products[0].sku, products[0], new Date(at)),
      envelope(storeId, 'invoice', String(invoice.entity_id), invoice, new Date(at)),
    ]);
    const waiting = await eventually(
      async () =>
        (await collection(t, 'pending_changes').findOne({ _id: invoiceKey as never, status: 'waiting' })) ?? undefined,
      30000,
      200,
    );
    // Parked at intake: the order has not arrived, so an attempt could only come back waiting.
    expect(waiting).toMatchObject({ waitingFor: orderKey, attempts: 0 });
    expect(String(waiting.waitingOn)).toBe(`waiting for order ${order.increment_id} to arrive from the store`);
    expect(waiting.waitingSince).toBeInstanceOf(Date);
    // Held for five minutes at most: only the order's sync can bring it back within the test.
    expect(new Date(waiting.nextAttemptAt as Date).getTime()).toBeGreaterThan(Date.now() + 60_000);
    // Noted right after the item's state is written.
    const note = await eventually(
      async () => (await t.db.collection('dependency_waits').findOne({ _id: orderKey as never })) ?? undefined,
      10000,
      100,
    );
    expect(note.waiters).toEqual([invoiceKey]);
    await eventually(async () => (await countRecords(t, storeId, { status: 'synced' })) === 2 || undefined, 30000, 200);
    const before = await countersOf(t, tenants.cron);
    expect(writesTo(before, /Payments/)).toBe(0);

    await publishEvents(t, [envelope(storeId, 'order', String(order.entity_id), order, new Date(at + 1000))]);
    await eventually(async () => (await countRecords(t, storeId, { status: 'synced' })) === 4 || undefined, 30000, 200);
    const log = await collection(t, 'sync_log')
      .find({ storeId, entity: { $in: ['order', 'invoice'] } })
      .sort({ createdAt: 1 })
      .toArray();
    // No attempt while the order was missing; one when the order came (its arrival or its sync woke the invoice;
    // delivered together, the two rows carry one time).
    expect(log.map((r) => [r.entity, r.mode, r.status, r.attempt, r.calls > 0]).sort()).toEqual([
      ['invoice', 'cron', 'success', 1, true],
      ['order', 'cron', 'success', 1, true],
    ]);
    const after = await countersOf(t, tenants.cron);
    expect(writesTo(after, /Invoices/) - writesTo(before, /Invoices/)).toBe(1);
    expect(writesTo(after, /Payments/)).toBe(1);
    const dump = await dumpOf(t, tenants.cron);
    expect(dump.invoices.map((i) => i.Status)).toEqual(['PAID']);
    expect(dump.payments).toHaveLength(1);
    expect((dump.payments[0].Invoice as { InvoiceID?: string }).InvoiceID).toBe(dump.invoices[0].InvoiceID);
    expect(await t.db.collection('dependency_waits').findOne({ _id: orderKey as never })).toBeNull();
  });

  it('a record whose dependency never comes becomes an error naming it after the store horizon', async () => {
    const storeId = 'store-horizon';
    const customer = makeCustomer(960, 'hz');
    const products = [makeProduct(960, 'HZ')];
    const order = makeOrder(960, customer, products);
    const invoice = makeInvoice(960, order);
    await publishEvents(t, [envelope(storeId, 'invoice', String(invoice.entity_id), invoice)]);
    const failed = await eventually(
      async () =>
        (await collection(t, 'pending_changes').findOne({ storeId, entity: 'invoice', status: 'failed' })) ?? undefined,
      30000,
      200,
    );
    expect(String(failed.lastError)).toMatch(
      new RegExp(`^gave up after waiting 3 s: order ${order.increment_id} is not in Xero yet\\..*Sync Now`),
    );
    expect(failed.waitingFor).toBe(`${storeId}|order|${order.entity_id}`);
    const rows = await collection(t, 'sync_log').find({ storeId }).sort({ createdAt: 1 }).toArray();
    expect(rows[0]).toMatchObject({ status: 'waiting', errorCode: 'DEPENDENCY_FAILED' });
    expect(rows[rows.length - 1]).toMatchObject({
      status: 'error',
      errorCode: 'WAIT_HORIZON',
      message: failed.lastError,
    });
    expect(rows.slice(1, -1).every((r) => r.status === 'waiting')).toBe(true);
    // View Log's status filter: the wait is listed as `waiting` with its reason and next attempt, not as an error.
    const log = syncer.app.get(SyncLogRepository);
    const waits = await log.search({ storeId, status: 'waiting' });
    expect(waits.total).toBe(rows.length - 1);
    expect(waits.items[0]).toMatchObject({ message: `order ${order.increment_id} is not in Xero yet` });
    expect(waits.items.every((r) => r.nextAttemptAt)).toBe(true);
    expect((await log.search({ storeId, status: 'error' })).items.map((r) => r.errorCode)).toEqual(['WAIT_HORIZON']);

    // The awaited order arriving after all brings the failed invoice back by itself: it is paid.
    await publishEvents(t, [
      envelope(storeId, 'customer', String(customer.id), customer),
      envelope(storeId, 'product', products[0].sku, products[0]),
      envelope(storeId, 'order', String(order.entity_id), order),
    ]);
    await eventually(async () => (await countRecords(t, storeId, { status: 'synced' })) === 4 || undefined, 30000, 200);
    const last = await collection(t, 'sync_log')
      .find({ storeId, entity: 'invoice' })
      .sort({ createdAt: -1 })
      .limit(1)
      .toArray();
    expect(last[0]).toMatchObject({ status: 'success', mode: 'cron' });
    const dump = await dumpOf(t, horizonTenant);
    expect(dump.payments).toHaveLength(1);
  });
});
