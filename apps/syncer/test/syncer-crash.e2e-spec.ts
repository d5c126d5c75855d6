import { ChildProcess } from 'node:child_process';
import { eventually } from '@xero-sync/testing';
import { fixtureEvents, makeStore, StoreFixture } from './support/store-fixtures';
import {
  buildOnce,
  collection,
  connectStore,
  countersOf,
  dumpOf,
  publishEvents,
  setupSyncerEnv,
  spawnSyncer,
  SyncerTestEnv,
  teardownSyncerEnv,
  waitForExit,
} from './support/syncer-harness';

/**
 * Crash test: the BUILT syncer runs as child processes and is SIGKILLed at random moments while thousands of
 * orders flow; sometimes two syncers share the work. `npm run test:faults` runs the full size (≥ 5,000 orders,
 * 20 kills); the normal e2e suite a smaller one asserting the same things.
 */
const ORDERS = Number(process.env.SYNCER_CRASH_ORDERS ?? 150);
const KILLS = Number(process.env.SYNCER_CRASH_KILLS ?? 3);
const STORES = Number(process.env.SYNCER_CRASH_STORES ?? 3);
const DRAIN_MS = Number(process.env.SYNCER_CRASH_DRAIN_MS ?? 600_000);

/** A Xero payment against an invoice (the others are refunds paid out on credit notes). */
const onInvoice = (p: Record<string, unknown>) => Boolean((p.Invoice as { InvoiceID?: string } | undefined)?.InvoiceID);

describe(`syncer crash test (${ORDERS} orders, ${KILLS} SIGKILLs, ${STORES} orgs)`, () => {
  let t: SyncerTestEnv;
  const children = new Map<string, ChildProcess>();
  const stores: { storeId: string; tenantId: string; fixture: StoreFixture }[] = [];
  let spawned = 0;

  const killed = new Set<ChildProcess>();
  const start = () => {
    const id = `crash-${++spawned}`;
    const child = spawnSyncer(t, id);
    children.set(id, child);
    child.once('exit', (code, signal) => {
      children.delete(id);
      // Not one of ours: one more crash for the run to survive (it is restarted at the next kill), but say so.
      if (!killed.has(child)) process.stderr.write(`syncer ${id} exited by itself (code ${code}, ${signal})\n`);
    });
    return id;
  };

  beforeAll(async () => {
    buildOnce();
    t = await setupSyncerEnv({
      timeScale: 60,
      extraEnv: {
        SYNCER_FLUSH_BATCH_SIZE: '200',
        SYNCER_CLAIM_LEASE_MS: '6000',
        SYNCER_FLUSH_LEASE_MS: '3000',
        // Record claims of a killed syncer lapse after deadline + one request timeout + margin (~50 s here).
        SYNCER_DELIVERY_TIMEOUT_MS: '10000',
      },
    });
    const perStore = Math.ceil(ORDERS / STORES);
    for (let s = 0; s < STORES; s++) {
      const storeId = `crash-store-${s}`;
      // One store in Immediately mode, the rest Cron Job: both paths take the crashes.
      const tenantId = await connectStore(
        t,
        storeId,
        s === 0 ? { mode: 'immediate' } : { mode: 'cron', cronIntervalMinutes: 1 },
      );
      const fixture = makeStore({
        orders: perStore,
        customers: Math.ceil(perStore / 4),
        products: 20,
        invoiced: Math.floor(perStore * 0.6),
        refunded: Math.floor(perStore * 0.05),
        tag: `k${s}`,
        idBase: 1 + s * 100000,
      });
      stores.push({ storeId, tenantId, fixture });
    }
  }, 600000);

  afterAll(async () => {
    for (const child of children.values()) {
      killed.add(child);
      child.kill('SIGTERM');
    }
    await Promise.all([...children.values()].map((c) => waitForExit(c, 30000).catch(() => c.kill('SIGKILL'))));
    await teardownSyncerEnv(t);
  });

  it(
    'delivers every order exactly once with matching totals despite SIGKILLs, restarts and a second syncer',
    async () => {
      start();
      const all = stores.flatMap((s) => fixtureEvents(s.storeId, s.fixture));
      // Dependencies first in the stream as a store emits them; publish in waves while syncers die.
      const waves = 10;
      const publishing = (async () => {
        for (let w = 0; w < waves; w++) {
          const from = Math.floor((all.length * w) / waves);
          const to = Math.floor((all.length * (w + 1)) / waves);
          await publishEvents(t, all.slice(from, to));
          await new Promise((r) => setTimeout(r, 500));
        }
      })();

      for (let k = 0; k < KILLS; k++) {
        await new Promise((r) => setTimeout(r, 1000 + Math.random() * 3000));
        const ids = [...children.keys()];
        const victim = ids.length > 0 ? children.get(ids[Math.floor(Math.random() * ids.length)]) : undefined;
        if (victim) {
          killed.add(victim);
          victim.kill('SIGKILL');
          await waitForExit(victim);
        }
        start();
        // Two syncers for the middle part of the run.
        if (k === Math.floor(KILLS / 3)) start();
        if (k === Math.floor((2 * KILLS) / 3) && children.size > 1) {
          const [, extra] = [...children.values()];
          killed.add(extra);
          extra.kill('SIGTERM');
          await waitForExit(extra, 60000);
        }
      }
      await publishing;
      if (children.size === 0) start();

      for (const { storeId, tenantId, fixture } of stores) {
        await eventually(
          async () => {
            const d = await dumpOf(t, tenantId);
            return d.invoices.length >= fixture.orders.length &&
              d.payments.filter(onInvoice).length >= fixture.invoices.length &&
              d.creditNotes.length >= fixture.creditmemos.length
              ? d
              : undefined;
          },
          DRAIN_MS,
          2000,
        ).catch(async (err: unknown) => {
          // Say where it stuck: what Xero has and what the queue holds.
          const d = await dumpOf(t, tenantId);
          const open = await collection(t, 'pending_changes')
            .find({ storeId, status: { $ne: 'synced' } })
            .limit(5)
            .toArray();
          const held = new Set(
            (
              await Promise.all(
                (['pending_changes', 'record_copies'] as const).map((name) =>
                  collection(t, name)
                    .find({ storeId }, { projection: { entity: 1, entityId: 1 } })
                    .toArray(),
                ),
              )
            )
              .flat()
              .map((o) => `${o.entity}:${o.entityId}`),
          );
          const never = fixtureEvents(storeId, fixture)
            .map((e) => `${e.entity}:${e.entityId}`)
            .filter((k) => !held.has(k));
          const byStatus = await collection(t, 'pending_changes')
            .aggregate([{ $match: { storeId } }, { $group: { _id: '$status', n: { $sum: 1 } } }])
            .toArray();
          throw new Error(
            `${storeId}: ${String(err)}; Xero has ${d.invoices.length}/${fixture.orders.length} invoices, ` +
              `${d.payments.length}/${fixture.invoices.length} payments, ${d.creditNotes.length}/${fixture.creditmemos.length} ` +
              `credit notes; queue ${JSON.stringify(byStatus)}; open ${JSON.stringify(open.map((o) => [o.entity, o.entityId, o.status, o.attempts, o.lastError, o.leaseOwner]))}; never queued ${JSON.stringify(never.slice(0, 20))}`,
          );
        });
        // The log explains every attempt: each record has a success row. A syncer killed between Xero's answer and
        // its log write leaves its events uncommitted; the syncer that takes over its partitions (after the group's
        // session timeout) delivers them again (no Xero write: the links and content hashes say done) and logs them.
        const expected = [
          ...fixture.orders.map((o) => `order:${o.entity_id}`),
          ...fixture.invoices.map((i) => `invoice:${i.entity_id}`),
          ...fixture.creditmemos.map((c) => `creditmemo:${c.entity_id}`),
        ];
        let missing: string[] = expected;
        let rows: Record<string, unknown>[] = [];
        await eventually(
          async () => {
            rows = await collection(t, 'sync_log').find({ storeId }).toArray();
            const succeeded = new Set(
              rows.filter((r) => r.status === 'success').map((r) => `${String(r.entity)}:${String(r.entityId)}`),
            );
            missing = expected.filter((k) => !succeeded.has(k));
            return missing.length === 0;
          },
          120000,
          1000,
        ).catch(() => undefined);
        expect(missing).toEqual([]);
        await eventually(
          async () =>
            (await collection(t, 'pending_changes').countDocuments({ storeId, status: { $ne: 'synced' } })) === 0,
          120000,
          1000,
        ).catch(async (err: unknown) => {
          // Xero has everything, yet the queue does not say so: which items, and what their log says.
          const open = await collection(t, 'pending_changes')
            .find({ storeId, status: { $ne: 'synced' } })
            .limit(5)
            .toArray();
          const logs = await Promise.all(
            open.map(async (o) =>
              (await collection(t, 'sync_log').find({ storeId, entity: o.entity, entityId: o.entityId }).toArray()).map(
                (r) => [r.mode, r.status, r.attempt, String(r.message).slice(0, 80)],
              ),
            ),
          );
          throw new Error(
            `${storeId}: ${String(err)}; open ${JSON.stringify(
              open.map((o, i) => [o.entity, o.entityId, o.status, o.attempts, o.lastError, o.leaseOwner, logs[i]]),
            )}`,
          );
        });

        // Exactly once, every total matching: read again now that every redelivery has been recorded.
        const dump = await dumpOf(t, tenantId);
        const numbers = dump.invoices.map((i) => String(i.InvoiceNumber));
        expect(new Set(numbers).size).toBe(numbers.length);
        expect(numbers).toHaveLength(fixture.orders.length);
        const byNumber = new Map(dump.invoices.map((i) => [String(i.InvoiceNumber), i]));
        const mismatches = fixture.orders.filter((o) => {
          const inv = [...byNumber.entries()].find(([n]) => n.endsWith(o.increment_id))?.[1];
          return !inv || Math.abs(Number(inv.Total) - o.grand_total) > 0.005;
        });
        expect(mismatches.map((o) => o.increment_id)).toEqual([]);
        // Payments on invoices (one per store invoice); refunds are payments on credit notes.
        expect(dump.payments.filter(onInvoice)).toHaveLength(fixture.invoices.length);
        expect(dump.payments.filter((p) => !onInvoice(p)).length).toBeLessThanOrEqual(fixture.creditmemos.length);
        expect(dump.creditNotes).toHaveLength(fixture.creditmemos.length);
        const contactNumbers = dump.contacts.map((c) => (typeof c.ContactNumber === 'string' ? c.ContactNumber : ''));
        expect(new Set(contactNumbers).size).toBe(contactNumbers.length);

        expect(
          rows.every(
            (r) =>
              ['success', 'error', 'waiting'].includes(String(r.status)) &&
              typeof r.message === 'string' &&
              Number(r.attempt) >= 1,
          ),
        ).toBe(true);
        const counters = await countersOf(t, tenantId);
        expect(counters.byStatus['500'] ?? 0).toBe(0);
      }
    },
    Math.max(1_800_000, ORDERS * 2_000),
  );
});
