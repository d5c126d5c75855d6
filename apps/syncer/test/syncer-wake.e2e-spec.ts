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

// Immediately mode: a record parked as waiting is tried again as soon as a record of its store reaches Xero. The
// flusher's back-off is ten minutes here, so only that wake-up can deliver it within the test.
describe('syncer Immediately wake-up', () => {
  let t: SyncerTestEnv;
  let syncer: { app: INestApplication; url: string };
  let tenantId: string;

  beforeAll(async () => {
    t = await setupSyncerEnv({
      timeScale: 60,
      extraEnv: { SYNCER_RETRY_BASE_MS: '600000', SYNCER_RETRY_MAX_MS: '600000' },
    });
    tenantId = await connectStore(t, 'store-wake', { mode: 'immediate' });
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
      async () =>
        (await collection(t, 'pending_changes').countDocuments({ storeId: 'store-wake', status: 'synced' })) ===
        events.length,
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
});
