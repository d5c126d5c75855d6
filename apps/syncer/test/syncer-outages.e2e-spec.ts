import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { eventually, infra } from '@xero-sync/testing';
import { fixtureEvents, makeStore, StoreFixture } from './support/store-fixtures';
import {
  bootSyncer,
  collection,
  connectStore,
  dumpOf,
  publishEvents,
  sendCommand,
  sandboxDelete,
  sandboxPost,
  setupSyncerEnv,
  SyncerTestEnv,
  teardownSyncerEnv,
  countRecords,
} from './support/syncer-harness';

/**
 * Orders per store in the Kafka and FerretDB restarts: 20 in `npm test`; `npm run test:faults` runs them at 1,000,
 * so the restarts fall in the middle of the intake and of the flushes.
 */
const OUTAGE_ORDERS = Number(process.env.SYNCER_OUTAGE_ORDERS ?? 20);
/** Events published before the outage begins: the rest go out while it lasts (FerretDB) or after (Kafka). */
const BEFORE_OUTAGE = 0.6;

/** A store of `orders` orders in the shape of the original 20-order fixtures. */
function outageStore(tag: string, idBase: number) {
  const orders = OUTAGE_ORDERS;
  const fixture = makeStore({
    orders,
    customers: Math.max(5, Math.ceil(orders / 4)),
    products: Math.max(3, Math.ceil(orders / 50)),
    invoiced: Math.floor(orders / 2),
    tag,
    idBase,
  });
  return { fixture, drainMs: Math.max(180_000, orders * 600) };
}

// Outages of each dependency while the syncer works: it recovers by itself, loses nothing, duplicates nothing.
describe('syncer under outages', () => {
  let t: SyncerTestEnv;
  let syncer: { app: INestApplication; url: string };
  const tenants: Record<string, string> = {};

  beforeAll(async () => {
    t = await setupSyncerEnv({ timeScale: 60 });
    tenants.xero = await connectStore(t, 'store-xo', { mode: 'immediate' });
    tenants.kafka = await connectStore(t, 'store-ko', { mode: 'cron', cronIntervalMinutes: 1 });
    tenants.mongo = await connectStore(t, 'store-mo', { mode: 'immediate' });
    tenants.mongoCron = await connectStore(t, 'store-mc', { mode: 'cron', cronIntervalMinutes: 1 });
    tenants.slow = await connectStore(t, 'store-slow', { mode: 'cron', cronIntervalMinutes: 600 });
    syncer = await bootSyncer(t);
  });

  afterAll(async () => {
    await syncer?.app.close();
    await teardownSyncerEnv(t);
  });

  /** Every order of the fixture is in Xero exactly once with its total, and nothing is left in the queue. */
  async function expectExactlyOnce(storeId: string, tenantId: string, fixture: StoreFixture, timeoutMs = 120000) {
    const dump = await eventually(
      async () => {
        const d = await dumpOf(t, tenantId);
        return d.invoices.length >= fixture.orders.length && d.payments.length >= fixture.invoices.length
          ? d
          : undefined;
      },
      timeoutMs,
      500,
    );
    const numbers = dump.invoices.map((i) => String(i.InvoiceNumber));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toHaveLength(fixture.orders.length);
    for (const order of fixture.orders) {
      const invoice = dump.invoices.find((i) => String(i.InvoiceNumber).endsWith(order.increment_id));
      expect(Number(invoice?.Total)).toBeCloseTo(order.grand_total, 2);
    }
    expect(dump.payments).toHaveLength(fixture.invoices.length);
    const contactNumbers = dump.contacts.map((c) => c.ContactNumber).filter(Boolean);
    expect(new Set(contactNumbers).size).toBe(contactNumbers.length);
    await eventually(
      async () => (await collection(t, 'pending_changes').countDocuments({ storeId, status: { $ne: 'synced' } })) === 0,
      60000,
    );
    return dump;
  }

  it('Xero outage (503): Immediately mode falls back to the queue, the breaker opens, delivery resumes after recovery', async () => {
    const fixture = makeStore({ orders: 12, customers: 4, products: 3, invoiced: 6, tag: 'xo', idBase: 100 });
    const events = fixtureEvents('store-xo', fixture);
    await publishEvents(t, events.slice(0, 4));
    await eventually(
      async () => (await collection(t, 'sync_log').countDocuments({ storeId: 'store-xo', status: 'success' })) >= 4,
      60000,
    );
    await sandboxPost(t.sandbox, '/faults', { kind: 'status', status: 503, durationMs: 6000, tenantId: tenants.xero });
    await publishEvents(t, events.slice(4));
    // Events keep being accepted: they are queued (Xero's error or the open breaker), not blocking the partition.
    await eventually(
      async () =>
        (await collection(t, 'pending_changes').countDocuments({
          storeId: 'store-xo',
          status: { $in: ['pending', 'waiting'] },
        })) > 0,
      30000,
    );
    const breakerSeen = await eventually(
      async () => {
        const h = await request(syncer.url).get('/health');
        return (h.body.info?.xero?.open ?? []).includes(tenants.xero) ||
          (h.body.info?.xero?.halfOpen ?? []).includes(tenants.xero)
          ? true
          : undefined;
      },
      30000,
      100,
    );
    expect(breakerSeen).toBe(true);
    await expectExactlyOnce('store-xo', tenants.xero, fixture);
    const errors = await collection(t, 'sync_log').find({ storeId: 'store-xo', status: 'error' }).toArray();
    expect(errors.length).toBeGreaterThan(0);
    await sandboxDelete(t.sandbox, '/faults');
  });

  it('Xero slow: a batch that outlasts the claim lease stays claimed throughout and is delivered once', async () => {
    // The harness's claim lease is 8 s; each Xero call now takes 4 s, so the one flush batch takes far longer.
    const fixture = makeStore({ orders: 4, customers: 2, products: 2, invoiced: 2, tag: 'sl', idBase: 700 });
    const items = fixture.orders.length + fixture.customers.length + fixture.products.length + fixture.invoices.length;
    await publishEvents(t, fixtureEvents('store-slow', fixture));
    await eventually(async () => (await countRecords(t, 'store-slow')) === items, 30000);
    await sandboxPost(t.sandbox, '/faults', { kind: 'latency', ms: 4000, tenantId: tenants.slow });
    try {
      await sendCommand(t, { type: 'queue.flush', storeId: 'store-slow' });
      // Sample the claimed items until the batch is done: every claim must still be live whenever it is looked at.
      let firstClaimAt: number | undefined;
      let lastClaimAt = 0;
      const lapsed: string[] = [];
      const tokens = new Set<string>();
      await eventually(
        async () => {
          const now = Date.now();
          const claimed = await collection(t, 'pending_changes')
            .find({ storeId: 'store-slow', status: 'processing' })
            .toArray();
          for (const item of claimed) {
            tokens.add(String(item.claimToken));
            if (!(item.leaseUntil instanceof Date) || item.leaseUntil.getTime() <= now) lapsed.push(String(item._id));
          }
          if (claimed.length > 0) {
            firstClaimAt ??= now;
            lastClaimAt = now;
          }
          return firstClaimAt !== undefined && claimed.length === 0;
        },
        120000,
        250,
      );
      expect(lastClaimAt - firstClaimAt!).toBeGreaterThan(10000);
      expect(lapsed).toEqual([]);
      expect(tokens.size).toBe(1);
    } finally {
      await sandboxDelete(t.sandbox, '/faults');
    }
    await expectExactlyOnce('store-slow', tenants.slow, fixture);
    // One attempt per record: nothing was claimed and delivered twice.
    const rows = await collection(t, 'sync_log').find({ storeId: 'store-slow' }).toArray();
    expect(rows.filter((r) => r.status === 'success')).toHaveLength(items);
  });

  it('Kafka stopped and started mid-run: the syncer reconnects by itself and nothing is lost', async () => {
    const { fixture, drainMs } = outageStore('ko', 300);
    const events = fixtureEvents('store-ko', fixture);
    const before = Math.ceil(events.length * BEFORE_OUTAGE);
    await publishEvents(t, events.slice(0, before));
    try {
      infra('stop-kafka');
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      infra('start-kafka');
    }
    await eventually(
      async () => {
        await t.producer.connect();
        await publishEvents(t, events.slice(before));
        return true;
      },
      60000,
      1000,
    );
    await expectExactlyOnce('store-ko', tenants.kafka, fixture, drainMs);
  });

  it('FerretDB stopped and started mid-run: the syncer retries its writes and nothing is lost or doubled', async () => {
    // An Immediately store (deliveries under way) and a Cron Job store (intake and flushes under way).
    const immediate = outageStore('mo', 600);
    const cron = outageStore('mc', 900);
    const events = [fixtureEvents('store-mo', immediate.fixture), fixtureEvents('store-mc', cron.fixture)].map((e) => ({
      e,
      before: Math.ceil(e.length * BEFORE_OUTAGE),
    }));
    await publishEvents(
      t,
      events.flatMap(({ e, before }) => e.slice(0, before)),
    );
    try {
      infra('stop-ferretdb');
      await publishEvents(
        t,
        events.flatMap(({ e, before }) => e.slice(before)),
      );
      await new Promise((r) => setTimeout(r, 3000));
    } finally {
      infra('start-ferretdb');
    }
    await expectExactlyOnce('store-mo', tenants.mongo, immediate.fixture, immediate.drainMs);
    await expectExactlyOnce('store-mc', tenants.mongoCron, cron.fixture, cron.drainMs);
  });
});
