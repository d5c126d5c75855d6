/**
 * Fleet budget benchmark: one org, several built syncer processes and an admin-api's Xero context in this process,
 * all spending the org's one Xero budget against the sandbox (Xero's 60 calls a minute, 5 in flight). A backfill
 * (`origin: backfill`) flows to the store in Immediately mode while a client presses Sync Now every few seconds and
 * reads reconciliation and settings options. Reports the sandbox's 429s, the share of each Xero minute the fleet
 * used after the first, and how long a Sync Now took to reach Xero: the sandbox's arrival time of the request
 * carrying the record minus the press (the command's publish).
 */
import { ChildProcess } from 'node:child_process';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { BENCH_SCENARIO_MIX, eventually, generateStore, toEnvelope } from '@xero-sync/testing';
import { XeroReadService } from '@xero-sync/xero';
import type { CountersView } from '@xero-sync/xero-sandbox';
import {
  buildOnce,
  connectStore,
  countersOf,
  publishEvents,
  sandboxGet,
  sandboxPost,
  sendCommand,
  setupSyncerEnv,
  spawnSyncer,
  teardownSyncerEnv,
  waitForExit,
  xeroContext,
} from '../apps/syncer/test/support/syncer-harness';
import { BENCH_ENV, quantile, round } from './sync.bench';

export interface BudgetBenchOptions {
  /** Fraction of the 10,000-order backfill (with 2,000 customers and 500 products). Default 1. */
  scale?: number;
  /**
   * One knob for both sides of the Xero minute: the sandbox's windows run this many times faster and the fleet's
   * XERO_MINUTE_MS is 60 000 / timeScale. Default 6 (a Xero minute lasts 10 s).
   */
  timeScale?: number;
  /** Xero minutes measured after the first one. Default 10. */
  minutes?: number;
  /** Real ms between two Sync Now presses (and between two rounds of admin reads). Default 3000. */
  pressEveryMs?: number;
  /** Built syncer processes. Default 3. */
  syncers?: number;
  log?: (line: string) => void;
}

export interface BudgetBenchResult {
  budget: {
    /** 429s the sandbox answered the org during the run: 0 wanted. */
    http_429: number;
    /** Calls in each whole Xero minute of the measured span over Xero's 60, averaged: ≥ 0.9 wanted. */
    minute_use: number;
    /** The least-used whole Xero minute of the span. */
    minute_use_min: number;
    /** Calls the sandbox counted in each whole Xero minute of the span. */
    minute_calls: number[];
    /** Most calls the sandbox saw in flight at once (Xero allows 5). */
    max_in_flight: number;
    /** p99 real ms from a Sync Now press to its request reaching the sandbox, during the backfill (≤ 2,000 wanted). */
    sync_now_p99_ms_during_backfill: number | null;
    sync_now_p50_ms: number | null;
    sync_now_presses: number;
    /** Presses whose record never reached the sandbox before the run ended (they make the p99 null above 1 %). */
    sync_now_unreached: number;
    /** Admin reads (reconciliation, settings options) refused by the budget (they wait at most their deadline). */
    reads_refused: number;
    backfill_orders: number;
    backfill_changes: number;
    syncers: number;
    time_scale: number;
    xero_minute_ms: number;
    note: string;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Xero's minute in the sandbox's own (Xero-time) clock. */
const XERO_MINUTE = 60_000;
const STORE_ID = 'bench-budget';

/** Customers the backfill never sends: each press is a record only Sync Now can bring to Xero. */
function syncNowEvents(count: number, runId: string): { event: EntityChangeEvent; email: string }[] {
  return generateStore({ seed: 1717, customers: count, products: 1, orders: 1 }).customers.map((c, i) => {
    const email = `sync-now-${i}-${runId}@bench.example.com`.toLowerCase();
    const payload = { ...c, id: 900_001 + i, email, lastname: `Pressed ${i}` };
    const event = toEnvelope(STORE_ID, { entity: 'customer', entityId: String(payload.id), payload }, 'manual');
    return { event, email };
  });
}

export async function runBudgetBench(opts: BudgetBenchOptions = {}): Promise<BudgetBenchResult> {
  const scale = opts.scale ?? 1;
  const timeScale = opts.timeScale ?? 6;
  const minutes = opts.minutes ?? 10;
  const pressEveryMs = opts.pressEveryMs ?? 3000;
  const syncers = opts.syncers ?? 3;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const minuteMs = 60_000 / timeScale;
  const n = (full: number) => Math.max(1, Math.round(full * scale));
  const store = generateStore({
    seed: 42,
    storeId: STORE_ID,
    orders: n(10000),
    customers: n(2000),
    products: n(500),
    scenarioMix: BENCH_SCENARIO_MIX,
  });
  buildOnce();
  const t = await setupSyncerEnv({
    timeScale,
    extraEnv: { ...BENCH_ENV, SYNCER_INTERVAL_MINUTE_MS: String(minuteMs) },
  });
  const children: ChildProcess[] = [];
  const admin = { ctx: undefined as Awaited<ReturnType<typeof xeroContext>> | undefined };
  try {
    const tenant = await connectStore(t, STORE_ID, { mode: 'immediate' });
    for (let i = 0; i < syncers; i++) children.push(spawnSyncer(t, `budget-syncer-${i}`));
    // The admin-api's side of the fleet: libs/xero as admin-api wires it, its own instance id and MongoDB pool.
    admin.ctx = await xeroContext(t);
    const reads = admin.ctx.get(XeroReadService);
    // Let the group settle before the backfill arrives.
    await sleep(8000);
    const before = (await countersOf(t, tenant)).total;
    const events = store.events.map((e, i) => toEnvelope(STORE_ID, e, 'backfill', new Date(Date.now() + i)));
    const p0 = Date.now();
    await publishEvents(t, events, 200);
    log(
      `budget: published a backfill of ${events.length} changes (${store.orders.length} orders) in ${Date.now() - p0} ms`,
    );
    await eventually(async () => (await countersOf(t, tenant)).total > before, 300_000, 250);
    // The first minute ramps up; the measured span starts after it.
    await sleep(minuteMs);
    const xeroNow = async () =>
      Date.parse((await sandboxPost<{ xeroNow: string }>(t.sandbox, '/time', { advanceMs: 0 })).xeroNow);
    const xeroStart = await xeroNow();
    const end = Date.now() + minutes * minuteMs;

    const presses = syncNowEvents(Math.ceil((minutes * minuteMs) / pressEveryMs) + 1, t.id);
    const pressedAt = new Map<string, number>();
    const client = (async () => {
      for (const { event, email } of presses) {
        if (Date.now() >= end) break;
        const next = Date.now() + pressEveryMs;
        await sandboxPost(t.sandbox, '/watches', { text: email });
        pressedAt.set(email, Date.now());
        // What admin-api's Sync Now sends for a record the pipeline has not seen (read from the store).
        await sendCommand(t, {
          type: 'sync.record',
          storeId: STORE_ID,
          entity: 'customer',
          entityId: event.entityId,
          event,
        });
        await sleep(next - Date.now());
      }
    })();
    let readsRefused = 0;
    const reader = (async () => {
      while (Date.now() < end) {
        const next = Date.now() + pressEveryMs;
        const results = await Promise.allSettled([
          reads.accounts(tenant),
          reads.taxRates(tenant),
          reads.invoicesByNumbers(tenant, ['INV-none']),
        ]);
        readsRefused += results.filter((r) => r.status === 'rejected').length;
        await sleep(next - Date.now());
      }
    })();
    await Promise.all([client, reader]);
    await sleep(Math.max(0, end - Date.now()));
    const xeroEnd = await xeroNow();
    const counters = await sandboxGet<CountersView>(t.sandbox, `/counters?tenantId=${encodeURIComponent(tenant)}`);
    // Whole Xero minutes inside the span (the sandbox's fixed windows, as Xero counts them).
    const minuteCalls = counters.perMinute
      .filter((m) => Date.parse(m.minute) >= xeroStart && Date.parse(m.minute) + XERO_MINUTE <= xeroEnd)
      .map((m) => m.calls);

    // A press still on its way gets two more Xero minutes to arrive.
    const reachedAt = async () => {
      const watches = await sandboxGet<{ text: string; hits: { at: string }[] }[]>(t.sandbox, '/watches');
      return new Map(watches.filter((w) => w.hits.length > 0).map((w) => [w.text, Date.parse(w.hits[0].at)]));
    };
    let reached = await reachedAt();
    const waitUntil = Date.now() + 2 * minuteMs;
    while (reached.size < pressedAt.size && Date.now() < waitUntil) {
      await sleep(250);
      reached = await reachedAt();
    }
    const latencies = [...pressedAt]
      .map(([email, at]) => (reached.has(email) ? reached.get(email)! - at : Infinity))
      .sort((a, b) => a - b);
    const unreached = latencies.filter((x) => x === Infinity).length;
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    const result: BudgetBenchResult['budget'] = {
      http_429: counters.http429,
      minute_use: minuteCalls.length ? round(minuteCalls.reduce((a, b) => a + b, 0) / minuteCalls.length / 60, 3) : 0,
      minute_use_min: minuteCalls.length ? round(Math.min(...minuteCalls) / 60, 3) : 0,
      minute_calls: minuteCalls,
      max_in_flight: counters.maxConcurrentSeen,
      sync_now_p99_ms_during_backfill: finite(quantile(latencies, 0.99)),
      sync_now_p50_ms: finite(quantile(latencies, 0.5)),
      sync_now_presses: pressedAt.size,
      sync_now_unreached: unreached,
      reads_refused: readsRefused,
      backfill_orders: store.orders.length,
      backfill_changes: events.length,
      syncers,
      time_scale: timeScale,
      xero_minute_ms: minuteMs,
      note:
        `Xero minute scaled ${timeScale}x on both sides (sandbox windows and XERO_MINUTE_MS = ${minuteMs} ms, ` +
        "BENCH_BUDGET_TIME_SCALE); the 60/minute and 5-in-flight limits are Xero's; Sync Now times are real ms.",
    };
    log(
      `budget: ${counters.total} calls, ${counters.http429} x 429, minutes ${JSON.stringify(minuteCalls)}, ` +
        `Sync Now ${pressedAt.size} presses, p50 ${result.sync_now_p50_ms} ms, p99 ` +
        `${result.sync_now_p99_ms_during_backfill} ms, ${unreached} unreached; ${readsRefused} reads refused`,
    );
    return { budget: result };
  } finally {
    await admin.ctx?.close();
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => waitForExit(c, 30000).catch(() => c.kill('SIGKILL'))));
    await teardownSyncerEnv(t);
  }
}

if (require.main === module) {
  runBudgetBench({ scale: Number(process.argv[2] ?? 1) })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
}
