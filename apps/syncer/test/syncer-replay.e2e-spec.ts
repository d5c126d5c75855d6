import { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityChangeEvent, EntityName } from '@xero-sync/contracts';
import { StoreSettingsRepository } from '@xero-sync/persistence';
import { eventually } from '@xero-sync/testing';
import { envelope, fixtureEvents, makeCustomer, makeOrder, makeProduct, makeStore } from './support/store-fixtures';
import {
  bootSyncer,
  collection,
  connectStore,
  countersOf,
  dumpOf,
  publishEvents,
  sendCommand,
  setupSyncerEnv,
  SyncerTestEnv,
  teardownSyncerEnv,
  xeroContext,
  countRecords,
} from './support/syncer-harness';

/** Xero calls that write (anything but GET), from the sandbox's own tally of an org. */
async function xeroWrites(t: SyncerTestEnv, tenantId: string): Promise<Record<string, number>> {
  const { byEndpoint } = await countersOf(t, tenantId);
  return Object.fromEntries(Object.entries(byEndpoint).filter(([endpoint]) => !endpoint.startsWith('GET ')));
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(after)) if (n !== (before[k] ?? 0)) out[k] = n - (before[k] ?? 0);
  return out;
}

// A replay re-runs a store's events from a time through Kafka's offsets for that time, into the same path as live
// events (real Kafka, FerretDB, sandbox). What the delivery guarantees already make safe is proven here: a replay of
// what is in Xero writes nothing; after a mapping change it writes exactly the records the change touches.
describe('syncer replay', () => {
  let t: SyncerTestEnv;
  let syncer: { app: INestApplication; url: string };
  const tenants: Record<string, string> = {};

  beforeAll(async () => {
    t = await setupSyncerEnv({ timeScale: 60 });
    tenants.full = await connectStore(t, 'store-rp', { mode: 'immediate' });
    tenants.mapped = await connectStore(t, 'store-rm', { mode: 'immediate' });
    syncer = await bootSyncer(t);
  });

  afterAll(async () => {
    await syncer?.app.close();
    await teardownSyncerEnv(t);
  });

  /** Records the job as admin-api does, sends the command, and waits for the replay's end. */
  async function replay(
    storeId: string,
    from: Date,
    entities: EntityName[] = ['customer', 'product', 'order', 'invoice', 'creditmemo'],
  ) {
    const replayId = randomUUID();
    await t.db.collection('replay_jobs').insertOne({
      _id: replayId as never,
      storeId,
      from,
      entities,
      status: 'requested',
      total: 0,
      counts: { read: 0, synced: 0, unchanged: 0, failed: 0, waiting: 0, skipped: 0 },
      ranges: [],
      createdAt: new Date(),
    });
    await sendCommand(t, { type: 'replay.start', storeId, replayId, from: from.toISOString(), entities });
    const job = await eventually(
      async () => {
        const doc = await t.db.collection('replay_jobs').findOne({ _id: replayId as never });
        return doc && doc.status !== 'requested' && doc.status !== 'running' ? doc : undefined;
      },
      90000,
      250,
    );
    return { replayId, job };
  }

  it("a replay of a store's already synced events costs zero Xero calls and logs each record as unchanged", async () => {
    const storeId = 'store-rp';
    const from = new Date(Date.now() - 2000);
    const fixture = makeStore({
      orders: 4,
      customers: 2,
      products: 3,
      invoiced: 3,
      refunded: 1,
      tag: 'rp',
      idBase: 700,
    });
    const first = fixtureEvents(storeId, fixture);
    // A record changed twice within the day: the replay must deliver only its latest content.
    const renamed = { ...fixture.customers[0], firstname: 'Renamed' };
    const events: EntityChangeEvent[] = [
      ...first,
      envelope(storeId, 'customer', String(renamed.id), renamed, new Date(Date.now() + 1000)),
    ];
    const records = first.length;
    await publishEvents(t, first);
    await eventually(async () => (await countRecords(t, storeId, { status: 'synced' })) === records, 60000, 250);
    await publishEvents(t, events.slice(first.length));
    await eventually(
      async () =>
        (await collection(t, 'sync_log').countDocuments({ storeId, entity: 'customer', status: 'success' })) === 3,
      30000,
      250,
    );
    const before = await countersOf(t, tenants.full);

    const { replayId, job } = await replay(storeId, from);

    const after = await countersOf(t, tenants.full);
    expect(after.total - before.total).toBe(0);
    expect(job).toMatchObject({
      status: 'succeeded',
      total: events.length,
      counts: { read: events.length, synced: 0, unchanged: records, failed: 0, waiting: 0, skipped: 1 },
    });
    const rows = await collection(t, 'sync_log').find({ storeId, mode: 'replay' }).toArray();
    expect(rows).toHaveLength(records);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'success', action: 'none', calls: 0, correlationId: `replay-${replayId}` });
    }
    const customerRows = rows.filter((r) => r.entity === 'customer' && r.entityId === String(renamed.id));
    expect(customerRows.map((r) => r.eventId)).toEqual([events[events.length - 1].eventId]);
    // The replay left the queue as it was: every record synced, nothing due again.
    expect(await collection(t, 'pending_changes').countDocuments({ storeId, status: { $ne: 'synced' } })).toBe(0);
    // Replaying only some types reads only their topics.
    const orders = await replay(storeId, from, ['order']);
    expect(orders.job.counts).toMatchObject({ read: fixture.orders.length, unchanged: fixture.orders.length });
    expect((await countersOf(t, tenants.full)).total).toBe(after.total);
  });

  it('a replay after a mapping change updates exactly the records the change touches', async () => {
    const storeId = 'store-rm';
    const from = new Date(Date.now() - 2000);
    const customer = makeCustomer(801, 'rm');
    const products = [makeProduct(801, 'RM'), makeProduct(802, 'RM')];
    // New orders become DRAFT invoices, processing ones AUTHORISED: the status rule of `new` touches only the first.
    const fresh = [
      makeOrder(801, customer, products, { state: 'new' }),
      makeOrder(802, customer, products, { state: 'new' }),
    ];
    const processing = [makeOrder(803, customer, products), makeOrder(804, customer, products)];
    const events = [
      envelope(storeId, 'customer', String(customer.id), customer),
      ...products.map((p) => envelope(storeId, 'product', p.sku, p)),
      ...[...fresh, ...processing].map((o) => envelope(storeId, 'order', String(o.entity_id), o)),
    ];
    await publishEvents(t, events);
    await eventually(async () => (await countRecords(t, storeId, { status: 'synced' })) === events.length, 60000, 250);
    const statusOf = async () =>
      Object.fromEntries(
        (await dumpOf(t, tenants.mapped)).invoices.map((i) => [String(i.InvoiceNumber), String(i.Status)]),
      );
    expect(Object.values(await statusOf()).sort()).toEqual(['AUTHORISED', 'AUTHORISED', 'DRAFT', 'DRAFT']);

    const ctx = await xeroContext(t);
    try {
      const repo = ctx.get(StoreSettingsRepository);
      const current = await repo.get(storeId);
      await repo.save(
        {
          ...current,
          mapping: { ...current.mapping, statusRules: { ...current.mapping.statusRules, new: 'SUBMITTED' } },
        },
        'replay-e2e',
      );
    } finally {
      await ctx.close();
    }
    const before = await xeroWrites(t, tenants.mapped);

    const { job } = await replay(storeId, from);

    expect(job).toMatchObject({
      status: 'succeeded',
      counts: { read: events.length, synced: fresh.length, unchanged: events.length - fresh.length, failed: 0 },
    });
    const writes = difference(await xeroWrites(t, tenants.mapped), before);
    expect(Object.keys(writes).every((endpoint) => /Invoices/.test(endpoint))).toBe(true);
    const updated = await collection(t, 'sync_log')
      .find({ storeId, mode: 'replay', action: { $ne: 'none' } })
      .toArray();
    expect(updated.map((r) => [r.entity, r.entityId, r.status]).sort()).toEqual(
      fresh.map((o) => ['order', String(o.entity_id), 'success']).sort(),
    );
    const statuses = await statusOf();
    for (const o of fresh) expect(statuses[`MI-${o.increment_id}`]).toBe('SUBMITTED');
    for (const o of processing) expect(statuses[`MI-${o.increment_id}`]).toBe('AUTHORISED');
  });
});
