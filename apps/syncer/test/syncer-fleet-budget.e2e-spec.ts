import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { eventually, repoRoot } from '@xero-sync/testing';
import type { CountersView } from '@xero-sync/xero-sandbox';
import { fixtureEvents, makeStore, StoreFixture } from './support/store-fixtures';
import {
  buildOnce,
  collection,
  connectStore,
  dumpOf,
  publishEvents,
  sandboxDelete,
  sandboxGet,
  sandboxPost,
  setupSyncerEnv,
  spawnSyncer,
  SyncerTestEnv,
  teardownSyncerEnv,
  waitForExit,
} from './support/syncer-harness';

/**
 * The fleet's one Xero budget per org on the real pipeline: three BUILT syncer processes and a built admin-api
 * process spend one org's budget; Kafka carries a backlog of about seven minute-budgets of Immediately-mode events
 * (`origin: backfill`) while a client presses Sync Now on records and reads reconciliation and settings options
 * through admin-api. Xero's minute is scaled 6× on both sides (the sandbox's windows and XERO_MINUTE_MS); the
 * 60-a-minute and 5-in-flight limits stay Xero's. Then a syncer is SIGKILLed while it holds slots.
 */
const TIME_SCALE = 6;
const MINUTE_MS = 60_000 / TIME_SCALE;
/** Xero's minute in the sandbox's own clock. */
const XERO_MINUTE = 60_000;
/** Whole Xero minutes measured after the first. */
const MEASURED_MINUTES = 3;
/**
 * Minute slots the fleet must be seen holding at once at least once while the backlog lasts: all of Xero's 60 but
 * the 3 a backfill leaves to interactive work. How many calls a minute it then fits is a speed, which the bench
 * measures on a quiet machine (`budget.minute_use`): a call holds its minute slot from its claim until its answer +
 * one minute, and its claim, answer and release are database and CPU work, so on a loaded machine the 6x time scale
 * makes them six times larger against the minute. Measured with another process spinning on one of the two cores:
 * the fleet held all 60 slots, then the minute they all expired together it took about 7 s of the 10-s minute to
 * claim them back one round trip at a time, so the sandbox counted 37-47 calls in such a minute (59-60 unloaded; the
 * full `npm test` once 49-56). Neither is a fault of the budget; a leaked slot, a wrong reserve or a stalled lane
 * keeps the fleet below this on any machine.
 */
const FULL_MINUTE_SLOTS = 57;
/** How often the budget's slots are sampled over the measured span. */
const SAMPLE_EVERY_MS = 200;
/**
 * The least share of any one minute: a hole, not a speed. A minute slot is held from a call's start until its answer
 * + one minute, so a slow answer costs budget in proportion to its latency over the minute; the 6x time scale makes
 * every latency six times larger against the minute, and on the loaded 2-core machine one minute fell to 53 (local)
 * and 50 (CI) of 60 with no fault of the budget. A minute under 45 means the fleet left the org idle for over a
 * quarter of it (a leaked slot, a stalled lane); the bench's `budget.minute_use_min` measures the share on an
 * unloaded machine.
 */
const MIN_ANY_MINUTE_USE = 0.75;
/** How long a killed holder's slots can outlive it: the request timeout + 5 s, a minute slot one minute more. */
const CALL_HOLD_MS = 30_000 + 5_000;
const MINUTE_HOLD_MS = MINUTE_MS + Math.min(250, Math.ceil(MINUTE_MS / 100));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const onInvoice = (p: Record<string, unknown>) => Boolean((p.Invoice as { InvoiceID?: string } | undefined)?.InvoiceID);
const today = () => new Date().toISOString().slice(0, 10);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A backlog of about `calls` Immediately-mode calls (each change about one call at one element a call), as a backfill
 * publishes it.
 */
function backlogOf(
  storeId: string,
  calls: number,
  idBase: number,
): { fixture: StoreFixture; events: EntityChangeEvent[] } {
  const orders = Math.ceil(calls / 2);
  const fixture = makeStore({
    orders,
    customers: Math.ceil(orders / 4),
    products: 20,
    invoiced: Math.floor(orders * 0.6),
    refunded: Math.floor(orders * 0.05),
    tag: storeId,
    idBase,
  });
  const events = fixtureEvents(storeId, fixture).map((e): EntityChangeEvent => ({ ...e, origin: 'backfill' }));
  return { fixture, events };
}

describe('one Xero budget per org across syncer and admin-api processes (e2e, built apps)', () => {
  let t: SyncerTestEnv;
  const syncers = new Map<string, ChildProcess>();
  let adminApi: ChildProcess | undefined;
  let adminUrl: string;
  const adminKey = randomBytes(24).toString('base64url');

  const admin = async (path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(`${adminUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${adminKey}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    await res.arrayBuffer();
    return res.status;
  };
  const counters = (tenantId: string) =>
    sandboxGet<CountersView>(t.sandbox, `/counters?tenantId=${encodeURIComponent(tenantId)}`);
  const xeroNow = async () =>
    Date.parse((await sandboxPost<{ xeroNow: string }>(t.sandbox, '/time', { advanceMs: 0 })).xeroNow);
  /** Calls the sandbox counted in each whole Xero minute between two of its instants. */
  const wholeMinutes = async (tenantId: string, from: number, to: number) =>
    (await counters(tenantId)).perMinute
      .filter((m) => Date.parse(m.minute) >= from && Date.parse(m.minute) + XERO_MINUTE <= to)
      .map((m) => m.calls);
  /** The org's calls of today in MongoDB: every process's own counter document, summed. */
  const mongoCalls = async (tenantId: string) =>
    (await t.db.collection('request_stats').find({ tenantId, day: today() }).toArray()).reduce(
      (n, d) => n + Number(d.calls ?? 0),
      0,
    );

  /**
   * How many of the org's minute slots in `budget_slots` some process of the fleet held (newest epoch not expired),
   * every SAMPLE_EVERY_MS until `until`.
   */
  async function sampleMinuteSlots(org: string, until: () => boolean): Promise<number[]> {
    const samples: number[] = [];
    while (!until()) {
      const at = Date.now();
      const docs = await t.db.collection('budget_slots').find({ org, kind: 'minute' }).toArray();
      const newest = new Map<number, { epoch: number; expiresAt: Date }>();
      for (const d of docs)
        if ((newest.get(d.slot)?.epoch ?? -1) < d.epoch) newest.set(d.slot, { epoch: d.epoch, expiresAt: d.expiresAt });
      samples.push([...newest.values()].filter((d) => d.expiresAt.getTime() > at).length);
      await sleep(at + SAMPLE_EVERY_MS - Date.now());
    }
    return samples;
  }

  /** Registers the store with admin-api, connects it to a new org in Immediately mode; the org's tenant id. */
  async function immediateStore(storeId: string): Promise<string> {
    expect(await admin('/stores', 'POST', { storeId, name: `Store ${storeId}` })).toBe(201);
    return connectStore(t, storeId, { mode: 'immediate' });
  }

  /** Sync Now on records of the store the pipeline holds, settings options and reconciliation, until `until`. */
  async function client(storeId: string, until: () => boolean): Promise<Record<string, number[]>> {
    const statuses: Record<string, number[]> = { syncNow: [], options: [], refresh: [], reconciliation: [] };
    for (let round = 0; !until(); round++) {
      const next = Date.now() + 1000;
      const held = await collection(t, 'pending_changes')
        .find({ storeId, entity: 'order' }, { projection: { entityId: 1 } })
        .limit(50)
        .toArray();
      const pick = held[round % Math.max(1, held.length)];
      const [syncNow, options, refresh, reconciliation] = await Promise.all([
        pick ? admin(`/stores/${storeId}/records/order/${pick.entityId}/sync-now`, 'POST') : Promise.resolve(202),
        admin(`/stores/${storeId}/settings/options`),
        round % 3 === 0 ? admin(`/stores/${storeId}/settings/options/refresh`, 'POST') : Promise.resolve(200),
        round % 5 === 0
          ? admin(`/stores/${storeId}/reconciliation?from=${today()}&to=${today()}`)
          : Promise.resolve(200),
      ]);
      statuses.syncNow.push(syncNow);
      statuses.options.push(options);
      statuses.refresh.push(refresh);
      statuses.reconciliation.push(reconciliation);
      await sleep(next - Date.now());
    }
    return statuses;
  }

  /** Waits until every order, payment and credit note of the backlog is in Xero and the queue is empty. */
  async function drained(storeId: string, tenantId: string, fixture: StoreFixture): Promise<void> {
    await eventually(
      async () => {
        const d = await dumpOf(t, tenantId);
        return (
          d.invoices.length >= fixture.orders.length &&
          d.payments.filter(onInvoice).length >= fixture.invoices.length &&
          d.creditNotes.length >= fixture.creditmemos.length
        );
      },
      600_000,
      2000,
    );
    await eventually(
      async () => (await collection(t, 'pending_changes').countDocuments({ storeId, status: { $ne: 'synced' } })) === 0,
      180_000,
      1000,
    );
  }

  /** Every order, store invoice and credit memo of the backlog is in Xero exactly once. */
  async function expectExactlyOnce(tenantId: string, fixture: StoreFixture): Promise<void> {
    const dump = await dumpOf(t, tenantId);
    const numbers = dump.invoices.map((i) => String(i.InvoiceNumber));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toHaveLength(fixture.orders.length);
    expect(dump.payments.filter(onInvoice)).toHaveLength(fixture.invoices.length);
    expect(dump.creditNotes).toHaveLength(fixture.creditmemos.length);
    const contactNumbers = dump.contacts.map((c) => (typeof c.ContactNumber === 'string' ? c.ContactNumber : ''));
    expect(new Set(contactNumbers).size).toBe(contactNumbers.length);
  }

  beforeAll(async () => {
    buildOnce();
    // The fleet budget is what is measured, on a backlog of known size in calls: one element per Xero call and each
    // event its own delivery, 20 of a store at once per syncer (as before Immediately events were delivered
    // together). Grouped deliveries of one-element calls leave the budget idle between a delivery's stages while the
    // loaded machine does their MongoDB work (minutes of 39-50 under the full npm test); the bench's budget section
    // measures the grouped production path (`budget.minute_use`).
    t = await setupSyncerEnv({
      timeScale: TIME_SCALE,
      extraEnv: {
        SYNCER_INTERVAL_MINUTE_MS: String(MINUTE_MS),
        XERO_BATCH_SIZE: '1',
        SYNCER_IMMEDIATE_BATCH_MAX: '1',
        SYNCER_IMMEDIATE_DELIVERIES_PER_STORE: '20',
      },
    });
    for (let i = 0; i < 3; i++) syncers.set(`fleet-syncer-${i}`, spawnSyncer(t, `fleet-syncer-${i}`));
    const port = await freePort();
    adminUrl = `http://127.0.0.1:${port}`;
    adminApi = spawn(process.execPath, [join(repoRoot, 'dist/apps/admin-api/src/main.js')], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...t.env,
        ADMIN_API_PORT: String(port),
        ADMIN_BOOTSTRAP_TOKEN: adminKey,
        SYNCER_INSTANCE_ID: 'fleet-admin-api',
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await eventually(async () => (await fetch(`${adminUrl}/health`).catch(() => undefined))?.ok === true, 120_000, 500);
    // Let the syncers' group settle before a backlog arrives.
    await sleep(8000);
  }, 600_000);

  afterAll(async () => {
    const all = [...syncers.values(), ...(adminApi ? [adminApi] : [])];
    for (const c of all) c.kill('SIGTERM');
    await Promise.all(all.map((c) => waitForExit(c, 30_000).catch(() => c.kill('SIGKILL'))));
    await teardownSyncerEnv(t);
  });

  it('holds the whole budget (≥ 75 % of every minute used) with no 429, ≤ 5 in flight, and counts exactly what Xero counted', async () => {
    const storeId = 'fleet-a';
    const tenantId = await immediateStore(storeId);
    const { fixture, events } = backlogOf(storeId, 7 * 60, 1);
    await publishEvents(t, events);
    await eventually(async () => (await counters(tenantId)).total > 0, 120_000, 250);
    // The first minute ramps up; the measured span starts after it.
    await sleep(MINUTE_MS);
    const xeroStart = await xeroNow();
    const end = Date.now() + MEASURED_MINUTES * MINUTE_MS + 500;
    const [statuses, samples] = await Promise.all([
      client(storeId, () => Date.now() >= end),
      sampleMinuteSlots(tenantId, () => Date.now() >= end),
    ]);
    const xeroEnd = await xeroNow();
    const minutes = await wholeMinutes(tenantId, xeroStart, xeroEnd);
    const inXero = (await dumpOf(t, tenantId)).invoices.length;
    const seen = await counters(tenantId);
    console.log(
      JSON.stringify({
        minutes,
        minuteSlotsHeld: {
          least: Math.min(...samples),
          mean: Math.round((10 * samples.reduce((a, b) => a + b, 0)) / samples.length) / 10,
          most: Math.max(...samples),
          samples: samples.length,
        },
        http429: seen.http429,
        maxInFlight: seen.maxConcurrentSeen,
        total: seen.total,
      }),
    );
    // The backlog lasted the whole span, so every measured minute had work for the whole budget.
    expect(inXero).toBeLessThan(fixture.orders.length);
    expect(minutes.length).toBeGreaterThanOrEqual(MEASURED_MINUTES - 1);
    expect(samples.length).toBeGreaterThanOrEqual(MEASURED_MINUTES);
    expect(Math.max(...samples)).toBeGreaterThanOrEqual(FULL_MINUTE_SLOTS);
    expect(Math.max(...samples)).toBeLessThanOrEqual(60);
    expect(minutes.filter((calls) => calls < MIN_ANY_MINUTE_USE * 60)).toEqual([]);
    expect(seen.http429).toBe(0);
    expect(seen.maxConcurrentSeen).toBeLessThanOrEqual(5);
    expect(statuses.syncNow.filter((s) => s !== 202)).toEqual([]);
    expect(statuses.options.filter((s) => s !== 200)).toEqual([]);
    expect(statuses.refresh.filter((s) => s !== 200 && s !== 201)).toEqual([]);
    expect(statuses.reconciliation.filter((s) => s !== 200)).toEqual([]);

    await drained(storeId, tenantId, fixture);
    await expectExactlyOnce(tenantId, fixture);
    const final = await counters(tenantId);
    expect(final.http429).toBe(0);
    expect(final.maxConcurrentSeen).toBeLessThanOrEqual(5);
    // Each process counts a call once its answer is in; the sum settles on the sandbox's own count.
    await eventually(async () => (await mongoCalls(tenantId)) === (await counters(tenantId)).total, 30_000, 500);
  }, 900_000);

  it('a syncer SIGKILLed while holding slots: the budget is whole again by their expiry, and nothing is lost', async () => {
    const storeId = 'fleet-b';
    const tenantId = await immediateStore(storeId);
    // Longer than the first: it must last past the dead holder's slot expiry and a whole minute after it.
    const { fixture, events } = backlogOf(storeId, 12 * 60, 500_001);
    await publishEvents(t, events);
    await eventually(async () => (await counters(tenantId)).total > 0, 120_000, 250);
    await sleep(MINUTE_MS);

    // The victim: the first syncer seen holding one of the org's in-flight slots. The sandbox answers in
    // milliseconds, so for a moment it answers the org after 2 s: a holder is then surely mid-call when killed.
    await sandboxPost(t.sandbox, '/faults', { kind: 'latency', ms: 2000, tenantId });
    // Calls started before the fault end within milliseconds and release their slots: look for a holder only once
    // they are done, so the one found is a 2-s call still holding its slot when it is killed.
    await sleep(500);
    const slots = t.db.collection('budget_slots');
    const holding = await eventually(
      async () =>
        (await slots.findOne({
          org: tenantId,
          kind: 'inflight',
          owner: { $in: [...syncers.keys()] },
          expiresAt: { $gt: new Date() },
        })) ?? undefined,
      60_000,
      20,
    );
    const victimId = String(holding.owner);
    const victim = syncers.get(victimId)!;
    victim.kill('SIGKILL');
    const killedAt = Date.now();
    syncers.delete(victimId);
    await waitForExit(victim);
    await sandboxDelete(t.sandbox, '/faults');

    const held = await slots.find({ org: tenantId, owner: victimId, expiresAt: { $gt: new Date(killedAt) } }).toArray();
    expect(held.filter((s) => s.kind === 'inflight').length).toBeGreaterThan(0);
    const lastExpiry = Math.max(...held.map((s) => (s.expiresAt as Date).getTime()));
    // Nothing the dead holder kept outlives a request timeout + margin, and its minute slots a minute more.
    expect(lastExpiry).toBeLessThanOrEqual(killedAt + CALL_HOLD_MS + MINUTE_HOLD_MS);

    // After the expiry the two survivors take the whole budget again (every slot of the victim's has lapsed, so
    // whatever is held is theirs or admin-api's), and go on calling in every whole minute.
    await sleep(Math.max(0, lastExpiry - Date.now()));
    const xeroFrom = await xeroNow();
    const sampledUntil = Date.now() + 2 * MINUTE_MS + 500;
    const samples = await sampleMinuteSlots(tenantId, () => Date.now() >= sampledUntil);
    const minutes = await wholeMinutes(tenantId, xeroFrom, await xeroNow());
    const inXero = (await dumpOf(t, tenantId)).invoices.length;
    const seen = await counters(tenantId);
    console.log(
      JSON.stringify({
        victimId,
        heldAtKill: held.map((s) => s.kind),
        expiresAfterKillMs: lastExpiry - killedAt,
        minutesAfterExpiry: minutes,
        minuteSlotsHeldAfterExpiry: { most: Math.max(...samples), samples: samples.length },
        http429: seen.http429,
        maxInFlight: seen.maxConcurrentSeen,
      }),
    );
    expect(inXero).toBeLessThan(fixture.orders.length);
    expect(minutes.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...samples)).toBeGreaterThanOrEqual(FULL_MINUTE_SLOTS);
    expect(minutes.filter((calls) => calls === 0)).toEqual([]);
    expect(seen.http429).toBe(0);
    expect(seen.maxConcurrentSeen).toBeLessThanOrEqual(5);

    await drained(storeId, tenantId, fixture);
    await expectExactlyOnce(tenantId, fixture);
    // The calls the victim had under way reached Xero but died before its counter was written.
    await sleep(3000);
    const uncounted = (await counters(tenantId)).total - (await mongoCalls(tenantId));
    console.log(JSON.stringify({ uncountedCallsOfKilledHolder: uncounted }));
    expect(uncounted).toBeGreaterThanOrEqual(0);
    expect(uncounted).toBeLessThanOrEqual(5);
  }, 900_000);
});
