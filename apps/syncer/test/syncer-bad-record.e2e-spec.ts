import { INestApplication } from '@nestjs/common';
import { eventually } from '@xero-sync/testing';
import { fixtureEvents, makeStore } from './support/store-fixtures';
import {
  bootSyncer,
  collection,
  connectStore,
  dumpOf,
  publishEvents,
  setupSyncerEnv,
  SyncerTestEnv,
  teardownSyncerEnv,
} from './support/syncer-harness';

/**
 * One bad record never stops its batch, through the real pipeline: Kafka, the syncer's consumers and Cron Job
 * flush, FerretDB and the Xero sandbox through xero-node. One flush batch holds an order taxed at a rate the store
 * never mapped to a Xero tax type among good orders: every good record reaches Xero, the bad order is failed in
 * the sync log naming the rate, and only its own store invoice waits for it.
 */
describe('one unmappable record in a Cron Job batch (e2e)', () => {
  let t: SyncerTestEnv;
  let syncer: { app: INestApplication; url: string };
  let tenantId: string;
  const storeId = 'store-one-bad';

  beforeAll(async () => {
    t = await setupSyncerEnv({ timeScale: 60 });
    tenantId = await connectStore(t, storeId, { mode: 'cron', cronIntervalMinutes: 2 });
    syncer = await bootSyncer(t);
  });
  afterAll(async () => {
    await syncer?.app.close();
    await teardownSyncerEnv(t);
  });

  it('delivers every good record; the bad one fails alone with field and reason, its dependant waits', async () => {
    const fixture = makeStore({ orders: 6, customers: 3, products: 4, invoiced: 4, tag: 'ob', idBase: 800 });
    const bad = fixture.orders[1];
    bad.items = bad.items.map((i) => ({ ...i, tax_percent: 9 }));
    const badInvoice = fixture.invoices.find((i) => i.order_id === bad.entity_id)!;
    await publishEvents(t, fixtureEvents(storeId, fixture));

    const good = fixture.orders.filter((o) => o !== bad);
    await eventually(
      async () => {
        const dump = await dumpOf(t, tenantId);
        const log = await collection(t, 'sync_log')
          .find({ storeId, entity: 'order', entityId: String(bad.entity_id) })
          .toArray();
        return dump.invoices.length === good.length && dump.payments.length === 3 && log.length > 0;
      },
      120_000,
      500,
    );
    const dump = await dumpOf(t, tenantId);
    for (const o of good)
      expect(dump.invoices.filter((i) => i.InvoiceNumber === `MI-${o.increment_id}`)).toHaveLength(1);
    expect(dump.invoices.some((i) => i.InvoiceNumber === `MI-${bad.increment_id}`)).toBe(false);
    // Every good store invoice was paid; the bad order's is not in Xero.
    for (const inv of fixture.invoices.filter((i) => i !== badInvoice)) {
      const order = fixture.orders.find((o) => o.entity_id === inv.order_id)!;
      const xeroInvoice = dump.invoices.find((i) => i.InvoiceNumber === `MI-${order.increment_id}`)!;
      expect(Number(xeroInvoice.AmountPaid)).toBeCloseTo(inv.grand_total, 2);
    }

    const [failed] = await collection(t, 'sync_log')
      .find({ storeId, entity: 'order', entityId: String(bad.entity_id) })
      .toArray();
    expect(failed.status).toBe('error');
    expect(failed.message).toMatch(/no Xero tax type mapped for 9%/);
    const queue = collection(t, 'pending_changes');
    // The log row is written before the batch's queue outcomes: wait for those to land.
    await eventually(
      async () =>
        (await queue.findOne({ storeId, entity: 'order', entityId: String(bad.entity_id) }))?.status !== 'processing',
      30_000,
      200,
    );
    expect(await queue.findOne({ storeId, entity: 'order', entityId: String(bad.entity_id) })).toMatchObject({
      status: 'failed',
    });
    expect(await queue.findOne({ storeId, entity: 'invoice', entityId: String(badInvoice.entity_id) })).toMatchObject({
      status: 'waiting',
    });
    // A batch's outcomes take several commands (open outcomes, then copies and the synced items' removal): once
    // nothing of the store is still claimed, the queue holds only what stays open.
    await eventually(async () => (await queue.countDocuments({ storeId, status: 'processing' })) === 0, 30_000, 200);
    const held = await queue.find({ storeId, status: { $nin: ['synced'] } }).toArray();
    expect(held.map((h) => `${h.entity}:${h.entityId}`).sort()).toEqual(
      [`invoice:${badInvoice.entity_id}`, `order:${bad.entity_id}`].sort(),
    );
  });
});
