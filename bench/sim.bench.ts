/**
 * The many-org simulation: one built syncer drains N stores at once (N = 3, 50, 200 by default), each store with
 * its own sandbox org and connection, store sizes skewed (Zipf: a few large stores, many small ones) and the same
 * total number of orders at every N, most stores in Cron Job mode at 1, 5 or 15 (bench) minutes, every fifth
 * Immediately. Reports, per N, the data path's CPU (syncer + FerretDB + Kafka) and the syncer's MongoDB commands
 * per store change and per order, Xero calls per order and 429s, and what the flush scheduler's per-tick due
 * selection costs; then the cost at the most orgs over the fewest (`sim.cost_ratio_200_vs_3`).
 */
import { BENCH_SCENARIO_MIX, eventually, generateStore, GeneratedStore } from '@xero-sync/testing';
import { StoreSettingsRepository } from '@xero-sync/persistence';
import { XeroConnectionService, XeroConsentService } from '@xero-sync/xero';
import { randomBytes } from 'node:crypto';
import {
  buildOnce,
  countersOf,
  publishEvents,
  sandboxPost,
  setupSyncerEnv,
  SyncerTestEnv,
  teardownSyncerEnv,
  waitForExit,
  xeroContext,
} from '../apps/syncer/test/support/syncer-harness';
import {
  BENCH_ENV,
  CountingSyncers,
  cpuReader,
  DrainCpu,
  drainedAll,
  envelopes,
  pathCpu,
  round,
  spawnCountingSyncers,
  waitHorizonMinutes,
} from './drain-kit';
import { busyShare, machineTicks } from './proc-stats';

export interface SimBenchOptions {
  /** Numbers of orgs to simulate, one drain each (default 3, 50, 200). */
  orgs?: number[];
  /** Orders over all stores of a drain, the same at every N (default 1,500). */
  totalOrders?: number;
  /** Sandbox time scale: one Xero minute (and one Cron Job minute) lasts 60 000 / timeScale real ms. Default 60. */
  timeScale?: number;
  log?: (line: string) => void;
}

/** One drain's cost: per store change (`event`) and per order, by process and in MongoDB commands. */
export interface SimCost {
  orgs: number;
  stores_cron: number;
  stores_immediate: number;
  orders: number;
  /** Store changes published (customers, products, orders, invoices, credit memos). */
  events: number;
  /** Orders of the largest and the smallest store. */
  largest_store_orders: number;
  smallest_store_orders: number;
  drain_s: number;
  machine_busy: number;
  /** Syncer + FerretDB + Kafka CPU ms per store change, and per order; by process per order. */
  path_cpu_ms_per_event: number;
  path_cpu_ms_per_order: number;
  cpu_ms_per_order: DrainCpu;
  db_commands_per_event: number;
  db_commands_per_order: number;
  /** Commands per order by `command collection`. */
  db_commands_by_name: Record<string, number>;
  /**
   * Milliseconds per order those commands took by `command collection` (sent to answered, as the driver times
   * them; concurrent commands overlap): a command whose time per order grows with the orgs while its count does
   * not reads more per call, e.g. a query by a field FerretDB v1 does not index scanning a collection with a
   * document per org.
   */
  db_command_ms_by_name: Record<string, number>;
  /** The 12 query shapes (command, collection, filter fields) that took the most time: count and ms per order. */
  db_slowest_queries?: Record<string, { per_order: number; ms_per_order: number }>;
  xero_calls_per_order: number;
  /** Xero calls per order by endpoint (the sandbox's counters). */
  xero_calls_by_endpoint: Record<string, number>;
  http_429: number;
}

/**
 * The flush scheduler's due selection over one drain, from the syncer's own command monitoring: each tick reads
 * the stores with Sync Now requests (`find flush_schedules`), at most every 2 s the stores with due items
 * (`distinct pending_changes`), and the schedules of the stores found (by `_id`, or one `findAndModify` each).
 */
export interface DueSelectionCost {
  ticks: number;
  /** Due-store queries (`distinct pending_changes`) and their mean time, sent to answered. */
  due_scans: number;
  due_scan_ms: number;
  /** Schedule reads per tick (every flush_schedules query but the tick's Sync Now one). */
  schedule_reads_per_tick: number;
  /** The three together: commands and milliseconds (summed, sent to answered) per tick; commands per event. */
  commands_per_tick: number;
  ms_per_tick: number;
  commands_per_event: number;
}

export type SimBenchResult = Record<string, number | SimCost | DueSelectionCost | number[]>;

/** The due selection's commands: every query of the flush schedules and the due-store query of the queue. */
const isDueSelection = (shape: string) =>
  shape.startsWith('find flush_schedules') ||
  shape.startsWith('findAndModify flush_schedules') ||
  shape.startsWith('distinct pending_changes');
/** The one query every tick makes: the stores with a Sync Now request. */
const TICK_SHAPE = 'find flush_schedules {flushRequestedAt}';
const CRON_INTERVALS = [1, 5, 15];

/**
 * Orders per store: Zipf (the i-th largest store gets 1/i of the largest's share), at least one each, summing to
 * `total` (the largest store takes up the rounding).
 */
export function zipfSizes(total: number, stores: number): number[] {
  const weights = Array.from({ length: stores }, (_, i) => 1 / (i + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.round((total * w) / sum)));
  sizes[0] = Math.max(1, sizes[0] + total - sizes.reduce((a, b) => a + b, 0));
  return sizes;
}

/** Store i's settings: every fifth store (from the third largest) Immediately, the rest Cron Job at 1, 5, 15 minutes. */
function settingsOf(i: number): { mode: 'immediate' | 'cron'; cronIntervalMinutes: number } {
  if (i % 5 === 2) return { mode: 'immediate', cronIntervalMinutes: 5 };
  const cronIndex = i - Math.floor((i + 2) / 5);
  return { mode: 'cron', cronIntervalMinutes: CRON_INTERVALS[cronIndex % CRON_INTERVALS.length] };
}

/**
 * Creates a sandbox org per store, connects it through libs/xero's custom-connection flow, binds the store and
 * saves its settings, as connectStore in the syncer harness does, in one Nest context for all of them (one context
 * per store took most of the setup at 200 stores).
 */
async function connectStores(
  t: SyncerTestEnv,
  stores: { storeId: string; mode: 'immediate' | 'cron'; cronIntervalMinutes: number }[],
  timeScale: number,
): Promise<void> {
  const ctx = await xeroContext(t);
  try {
    const consent = ctx.get(XeroConsentService);
    const connections = ctx.get(XeroConnectionService);
    const settings = ctx.get(StoreSettingsRepository);
    for (const s of stores) {
      const org = await sandboxPost<{ tenantId: string }>(t.sandbox, '/orgs', {
        name: `Org of ${s.storeId} ${t.id}`,
        currencies: ['USD', 'AUD'],
      });
      const clientId = `cc-${s.storeId}-${t.id}`;
      const clientSecret = randomBytes(24).toString('hex');
      await sandboxPost(t.sandbox, '/custom-connections', { clientId, clientSecret, tenantId: org.tenantId });
      await consent.connectCustom(clientId, clientSecret);
      await connections.bindStore(s.storeId, org.tenantId, 'bench-sim');
      const current = await settings.get(s.storeId);
      await settings.save(
        {
          ...current,
          mode: s.mode,
          cronIntervalMinutes: s.cronIntervalMinutes,
          waitHorizonMinutes: waitHorizonMinutes(timeScale),
        },
        'bench-sim',
      );
    }
  } finally {
    await ctx.close();
  }
}

/** One syncer drains `orgs` stores' data; returns the drain's cost and its due selection's. */
async function simulate(
  orgs: number,
  totalOrders: number,
  timeScale: number,
  log: (l: string) => void,
): Promise<{ cost: SimCost; due: DueSelectionCost }> {
  const sizes = zipfSizes(totalOrders, orgs);
  const stores: (GeneratedStore & { storeId: string; mode: 'immediate' | 'cron'; cronIntervalMinutes: number })[] =
    sizes.map((orders, i) => ({
      ...generateStore({
        seed: 500 + i,
        orders,
        customers: Math.max(1, Math.round(orders / 5)),
        products: Math.max(1, Math.round(orders / 20)),
        scenarioMix: BENCH_SCENARIO_MIX,
      }),
      storeId: `sim${orgs}-${i}`,
      ...settingsOf(i),
    }));
  const t = await setupSyncerEnv({
    timeScale,
    extraEnv: { ...BENCH_ENV, SYNCER_INTERVAL_MINUTE_MS: String(60000 / timeScale) },
  });
  let syncers: CountingSyncers | undefined;
  try {
    const c0 = Date.now();
    await connectStores(t, stores, timeScale);
    log(`sim: ${orgs} orgs connected in ${Math.round((Date.now() - c0) / 1000)} s`);
    syncers = spawnCountingSyncers(t, 1, `sim${orgs}-syncer`);
    // Let the group settle before the clock starts.
    await new Promise((r) => setTimeout(r, 8000));
    const cpuNow = cpuReader(syncers.children);
    // The counts files are rewritten every 500 ms: wait one period so the readings are as fresh as the CPU's.
    await new Promise((r) => setTimeout(r, 600));
    const commandsBefore = syncers.commandsNow();
    const msBefore = syncers.commandMsNow();
    const shapesBefore = syncers.shapesNow();
    const cpuBefore = cpuNow();
    const ticksBefore = machineTicks();
    const t0 = Date.now();
    const published = stores.flatMap((s) => envelopes(s.storeId, s.events));
    await publishEvents(t, published, 200);
    // One query for all stores of the run (its database holds only them): a per-store poll would load FerretDB with
    // 200 scans a round.
    await eventually(async () => drainedAll(t), 3_600_000, 2000);
    const drainMs = Date.now() - t0;
    const busy = busyShare(ticksBefore, machineTicks());
    const cpuAfter = cpuNow();
    await new Promise((r) => setTimeout(r, 600));
    const commandsAfter = syncers.commandsNow();
    const msAfter = syncers.commandMsNow();
    const shapesAfter = syncers.shapesNow();
    const xero = await countersOf(t);

    const orders = stores.reduce((s, x) => s + x.orders.length, 0);
    const events = published.length;
    const cpuMsPerOrder: DrainCpu = {
      syncers: round(((cpuAfter.syncers - cpuBefore.syncers) * 1000) / orders, 1),
      ferretdb: round(((cpuAfter.ferretdb - cpuBefore.ferretdb) * 1000) / orders, 1),
      kafka: round(((cpuAfter.kafka - cpuBefore.kafka) * 1000) / orders, 1),
      bench: round(((cpuAfter.bench - cpuBefore.bench) * 1000) / orders, 1),
    };
    const pathMs = pathCpu({
      syncers: (cpuAfter.syncers - cpuBefore.syncers) * 1000,
      ferretdb: (cpuAfter.ferretdb - cpuBefore.ferretdb) * 1000,
      kafka: (cpuAfter.kafka - cpuBefore.kafka) * 1000,
      bench: 0,
    });
    const delta = (name: string) => (commandsAfter[name] ?? 0) - (commandsBefore[name] ?? 0);
    const deltaMs = (name: string) => (msAfter[name] ?? 0) - (msBefore[name] ?? 0);
    const commandsByName: Record<string, number> = {};
    const commandMsByName: Record<string, number> = {};
    let commands = 0;
    for (const name of Object.keys(commandsAfter)) {
      commands += delta(name);
      const per = round(delta(name) / orders, 2);
      if (per > 0) commandsByName[name] = per;
      const ms = round(deltaMs(name) / orders, 1);
      if (ms > 0) commandMsByName[name] = ms;
    }
    const cost: SimCost = {
      orgs,
      stores_cron: stores.filter((s) => s.mode === 'cron').length,
      stores_immediate: stores.filter((s) => s.mode === 'immediate').length,
      orders,
      events,
      largest_store_orders: Math.max(...sizes),
      smallest_store_orders: Math.min(...sizes),
      drain_s: round(drainMs / 1000, 1),
      machine_busy: round(busy, 2),
      path_cpu_ms_per_event: round(pathMs / events, 2),
      path_cpu_ms_per_order: round(pathMs / orders, 1),
      cpu_ms_per_order: cpuMsPerOrder,
      db_commands_per_event: round(commands / events, 2),
      db_commands_per_order: round(commands / orders, 2),
      db_commands_by_name: commandsByName,
      db_command_ms_by_name: commandMsByName,
      xero_calls_per_order: round(xero.total / orders, 3),
      xero_calls_by_endpoint: Object.fromEntries(
        Object.entries(xero.byEndpoint).map(([endpoint, n]) => [endpoint, round(n / orders, 3)]),
      ),
      http_429: xero.http429,
    };
    const shapeDelta = (shape: string): [number, number] => [
      (shapesAfter[shape]?.[0] ?? 0) - (shapesBefore[shape]?.[0] ?? 0),
      (shapesAfter[shape]?.[1] ?? 0) - (shapesBefore[shape]?.[1] ?? 0),
    ];
    const ticks = Math.max(1, shapeDelta(TICK_SHAPE)[0]);
    let dueCommands = 0;
    let dueMs = 0;
    let scheduleReads = 0;
    for (const shape of Object.keys(shapesAfter).filter(isDueSelection)) {
      const [n, ms] = shapeDelta(shape);
      dueCommands += n;
      dueMs += ms;
      if (shape !== TICK_SHAPE && !shape.startsWith('distinct')) scheduleReads += n;
    }
    // The queries that cost the most time per order, by shape: what to look at when a figure grows with the orgs.
    cost.db_slowest_queries = Object.fromEntries(
      Object.keys(shapesAfter)
        .map((shape) => [shape, shapeDelta(shape)] as const)
        .sort((a, b) => b[1][1] - a[1][1])
        .slice(0, 12)
        .map(([shape, [n, ms]]) => [shape, { per_order: round(n / orders, 2), ms_per_order: round(ms / orders, 1) }]),
    );
    const due: DueSelectionCost = {
      ticks,
      due_scans: delta('distinct pending_changes'),
      due_scan_ms: round(deltaMs('distinct pending_changes') / Math.max(1, delta('distinct pending_changes')), 1),
      schedule_reads_per_tick: round(scheduleReads / ticks, 2),
      commands_per_tick: round(dueCommands / ticks, 2),
      ms_per_tick: round(dueMs / ticks, 1),
      commands_per_event: round(dueCommands / events, 3),
    };
    log(
      `sim: ${orgs} orgs (${cost.stores_cron} Cron Job, ${cost.stores_immediate} Immediately; ${orders} orders, ` +
        `${events} changes, largest store ${cost.largest_store_orders}) drained in ${cost.drain_s} s, machine ` +
        `${Math.round(busy * 100)} % busy; data-path CPU ${cost.path_cpu_ms_per_event} ms per change, ` +
        `${cost.path_cpu_ms_per_order} per order ${JSON.stringify(cpuMsPerOrder)}; MongoDB commands ` +
        `${cost.db_commands_per_event} per change, ${cost.db_commands_per_order} per order ` +
        `${JSON.stringify(commandsByName)}, slowest ${JSON.stringify(cost.db_slowest_queries)}; Xero ${cost.xero_calls_per_order} calls per order ${JSON.stringify(cost.xero_calls_by_endpoint)}, ${cost.http_429} × 429; ` +
        `due selection ${JSON.stringify(due)}`,
    );
    return { cost, due };
  } finally {
    const children = syncers?.children ?? [];
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => waitForExit(c, 30000).catch(() => c.kill('SIGKILL'))));
    await teardownSyncerEnv(t);
  }
}

/**
 * Runs the simulation at each number of orgs and compares the most orgs with the fewest: data-path CPU per store
 * change (`cost_ratio_<max>_vs_<min>`, the target's figure) and MongoDB commands per change, and each point
 * between against the fewest.
 */
export async function runSimBench(opts: SimBenchOptions = {}): Promise<SimBenchResult> {
  const orgs = [...new Set(opts.orgs ?? [3, 50, 200])].sort((a, b) => a - b);
  const totalOrders = opts.totalOrders ?? 1500;
  const timeScale = opts.timeScale ?? 60;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  buildOnce();
  const result: SimBenchResult = { orgs, total_orders: totalOrders };
  const costs = new Map<number, SimCost>();
  for (const n of orgs) {
    const { cost, due } = await simulate(n, totalOrders, timeScale, log);
    costs.set(n, cost);
    result[`cost_per_event_${n}`] = cost;
    result[`due_selection_${n}`] = due;
  }
  const fewest = costs.get(orgs[0])!;
  for (const n of orgs.slice(1)) {
    const c = costs.get(n)!;
    result[`cost_ratio_${n}_vs_${orgs[0]}`] = round(c.path_cpu_ms_per_event / fewest.path_cpu_ms_per_event, 2);
    result[`commands_ratio_${n}_vs_${orgs[0]}`] = round(c.db_commands_per_event / fewest.db_commands_per_event, 2);
  }
  return result;
}
