/**
 * Sync benchmark: the real pipeline (Kafka → syncer → libs/xero → Xero sandbox with Xero's limits, time-scaled)
 * on one generated store. Reports Xero calls per order in Cron Job mode against a per-record baseline (batch
 * size 1, no coalescing: one delivery per store change, as store extensions post them) on the same data in the
 * same run, 429s, drain time in modelled Xero minutes, Immediately-mode latency at 20 events/s, and the drain
 * speed-up of 3 syncers over 1 on 3 orgs.
 */
import { ChildProcess } from 'node:child_process';
import { EntityChangeEvent, EntityName, EntityPayloads } from '@xero-sync/contracts';
import { BENCH_SCENARIO_MIX, eventually, generateStore, GeneratedEvent, GeneratedStore } from '@xero-sync/testing';
import { RecordCopySchema, StoreSettingsRepository } from '@xero-sync/persistence';
import { XeroDeliveryService } from '@xero-sync/xero';
import {
  bootIngest,
  bootSyncer,
  buildOnce,
  collection,
  connectStore,
  countersOf,
  postSignedWebhook,
  publishEvents,
  registerWebhookStore,
  setupSyncerEnv,
  SyncerTestEnv,
  teardownSyncerEnv,
  waitForExit,
  xeroContext,
} from '../apps/syncer/test/support/syncer-harness';
import {
  BENCH_ENV,
  cpuReader,
  DrainCpu,
  drained,
  drainedAll,
  envelopes,
  pathCpu,
  round,
  spawnCountingSyncers,
  waitHorizonMinutes,
} from './drain-kit';
import { busyShare, machineTicks } from './proc-stats';

export { BENCH_ENV, DrainCpu, round };

export type SyncSection = 'calls' | 'immediate' | 'scale' | 'history';

export interface SyncBenchOptions {
  /** Sections to run (default all): calls per order vs baseline, Immediately latency, 1 vs 3 syncers. */
  sections?: SyncSection[];
  /**
   * Fraction of the full data set (10,000 orders, 2,000 customers, 500 products; with BENCH_SCENARIO_MIX about
   * 8,400 store invoices and 500 credit memos, the issue's shape). Default 1.
   */
  scale?: number;
  /** Sandbox time scale: one Xero minute lasts 60 000 / timeScale real ms. Default 60. */
  timeScale?: number;
  /**
   * Changes the per-record baseline sample may hold (about one call each; one org has 5,000 calls a day, less
   * libs/xero's reserve). Default 3,000. A sample that ran out of budget reports baseline_deferred > 0.
   */
  baselineCallBudget?: number;
  /**
   * Synced records of history the `history` section seeds into the drained stores' collections before its second
   * drain (default 1,000,000; bulk-inserted directly). Below 1 M the 1 M figure is extrapolated linearly.
   */
  historyItems?: number;
  /**
   * Pairs of drains (one syncer, then three) the `scale` section runs; its ratio is the median pair's. One pair's
   * ratio moved from 1.28 to 1.82 between two runs of the same code on the 2-core machine. Default 3.
   */
  scaleRepeats?: number;
  log?: (line: string) => void;
}

export interface SyncBenchResult {
  sync?: {
    orders: number;
    calls_per_order: number;
    baseline_calls_per_order: number;
    ratio_vs_baseline: number;
    http_429: number;
    drain_modelled_minutes: number;
    /** Orders in the per-record baseline sample (whole customers' histories; see baselineSample). */
    baseline_orders: number;
    /** Calls the baseline sample made; its calls per change of each entity type give the whole set's figure. */
    baseline_sample_calls: number;
    /** Baseline deliveries deferred for lack of daily budget: must be 0 for the baseline figure to hold. */
    baseline_deferred: number;
    /** From `sync_path` (below), when the scale section ran. */
    db_commands_per_order?: number;
    cpu_ms_per_order?: number;
    cpu_ms_per_order_parts?: DrainCpu;
    path_orders?: number;
  };
  /**
   * The data path's work per order in Cron Job mode (the scale section's one-syncer drain, 3 orgs): MongoDB
   * commands the syncer sent, and CPU ms of syncer + FerretDB + Kafka (by process in `cpu_ms_per_order_parts`).
   */
  sync_path?: {
    db_commands_per_order: number;
    cpu_ms_per_order: number;
    cpu_ms_per_order_parts: DrainCpu;
    orders: number;
  };
  /** Webhook → first successful Xero write at 20 events/s, and the Xero calls the events cost. */
  immediate?: { p50_ms: number; p99_ms: number; events: number; xero_calls: number; calls_per_event: number };
  scale?: {
    speedup_3_vs_1: number;
    orders_per_s_1: number;
    orders_per_s_3: number;
    /** Share of the whole machine's CPU (all cores) that was busy while one syncer, and three, drained. */
    machine_busy_1: number;
    machine_busy_3: number;
    /**
     * The most any number of syncers could gain over one on this machine if each order cost the CPU it cost with
     * one syncer: 1 / machine_busy_1. Above it, added syncers would need cores the machine does not have.
     */
    machine_bound_3_vs_1: number;
    /** CPU milliseconds per order drained, by process: syncers, FerretDB, Kafka, this process (sandbox, publishing). */
    cpu_ms_per_order_1: DrainCpu;
    cpu_ms_per_order_3: DrainCpu;
    /**
     * Syncer CPU + FerretDB + Kafka per order: three syncers' over one's (1 = three cost no more per order), the
     * median of the pairs of drains run; the other figures of this section are that pair's.
     */
    cpu_ratio_3_vs_1: number;
    /** Every pair's ratio, in the order run. */
    cpu_ratio_3_vs_1_runs: number[];
    /** MongoDB commands the syncers sent per order drained (driver command monitoring), in all and by command. */
    db_commands_per_order_1: number;
    db_commands_per_order_3: number;
    db_commands_by_name_1: Record<string, number>;
    db_commands_by_name_3: Record<string, number>;
    /** Documents those commands inserted, matched, removed or returned per order, by command. */
    db_documents_by_name_1: Record<string, number>;
    db_documents_by_name_3: Record<string, number>;
  };
  sim?: {
    /**
     * One syncer's data-path CPU per order (syncer + FerretDB + Kafka) draining 3 Cron Job orgs with 1 M synced
     * records of history in their collections over the same drain with none; extrapolated linearly from
     * `history_items` when fewer were seeded (`history_extrapolated`).
     */
    history_ratio_1m_vs_0: number;
    history_items: number;
    history_extrapolated: boolean;
    /** The measured ratio at `history_items`, by CPU and by MongoDB commands per order. */
    history_cpu_ratio_measured: number;
    history_commands_ratio_measured: number;
    history_cpu_ms_per_order_0: DrainCpu;
    history_cpu_ms_per_order_n: DrainCpu;
    history_db_commands_per_order_0: number;
    history_db_commands_per_order_n: number;
    history_seed_s: number;
    /** Data-path CPU per order of the two drains without history (before and after the one with it). */
    history_cpu_ms_per_order_0_before_after: number[];
  };
}

const ORDER_ENTITIES = new Set<EntityName>(['order']);
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * The per-record baseline needs about one call per change, far more than one org's 5,000 calls a day, and
 * libs/xero (rightly) keeps to the daily budget by the real UTC day. So it runs on a sample: whole customers'
 * histories (every change of their orders: order re-sends, invoices, credit memos; the customers themselves),
 * customers taken in store order while the sample's changes stay within `budget`, plus the products those orders
 * use. Its calls per change of each entity type are then applied to the whole data set (see syncSection).
 */
function baselineSample(store: GeneratedStore, budget: number): { events: GeneratedEvent[]; orders: number } {
  const orderCustomer = new Map(
    store.orders.map((o) => [String(o.entity_id), o.customer_id ? `c${o.customer_id}` : `g${o.customer_email}`]),
  );
  const orderOf = (e: GeneratedEvent): string | undefined => {
    if (e.entity === 'order') return e.entityId;
    if (e.entity === 'invoice' || e.entity === 'creditmemo')
      return String((e.payload as EntityPayloads['invoice']).order_id);
    return undefined;
  };
  const whoOf = (e: GeneratedEvent): string | undefined => {
    if (e.entity === 'customer') return `c${e.entityId}`;
    const order = orderOf(e);
    return order === undefined ? undefined : orderCustomer.get(order);
  };
  // Changes per customer over the whole history, so a chosen customer's later orders are counted up front.
  const changesOf = new Map<string, number>();
  for (const e of store.events) {
    const who = whoOf(e);
    if (who) changesOf.set(who, (changesOf.get(who) ?? 0) + 1);
  }
  const chosen = new Set<string>();
  let size = 0;
  for (const e of store.events) {
    const who = whoOf(e);
    if (!who || chosen.has(who) || e.entity === 'customer') continue;
    if (size + changesOf.get(who)! > budget) break;
    chosen.add(who);
    size += changesOf.get(who)!;
  }
  const skus = new Set<string>();
  for (const e of store.events) {
    if (e.entity === 'order' && chosen.has(whoOf(e)!))
      for (const item of (e.payload as EntityPayloads['order']).items) skus.add(item.sku);
  }
  const events = store.events.filter((e) => {
    const who = whoOf(e);
    return who ? chosen.has(who) : e.entity === 'product' && skus.has(e.entityId);
  });
  const orders = new Set(events.filter((e) => ORDER_ENTITIES.has(e.entity)).map((e) => e.entityId)).size;
  return { events, orders };
}

/** Cron Job mode through the real pipeline, then the per-record baseline on the same store's data. */
async function syncSection(store: GeneratedStore, timeScale: number, budget: number, log: (l: string) => void) {
  const t = await setupSyncerEnv({
    timeScale,
    extraEnv: { ...BENCH_ENV, SYNCER_INTERVAL_MINUTE_MS: String(60000 / timeScale) },
  });
  const syncer = { app: undefined as Awaited<ReturnType<typeof bootSyncer>>['app'] | undefined };
  try {
    const cronTenant = await connectStore(t, 'bench-cron', {
      mode: 'cron',
      cronIntervalMinutes: 5,
      waitHorizonMinutes: waitHorizonMinutes(timeScale),
    });
    const baseTenant = await connectStore(t, 'bench-base', {
      mode: 'cron',
      cronIntervalMinutes: 5,
      waitHorizonMinutes: waitHorizonMinutes(timeScale),
    });
    syncer.app = (await bootSyncer(t, 'bench-syncer')).app;
    const orders = store.orders.length;
    const t0 = Date.now();
    await publishEvents(t, envelopes('bench-cron', store.events), 200);
    log(`sync: published ${store.events.length} changes of ${orders} orders in ${Date.now() - t0} ms`);
    // Drained: every record of the store is in the queue and none is left to do (cancelled orders' invoices
    // are voided or deleted in Xero, so Xero's invoice count is not the measure).
    await eventually(async () => drainedAll(t, 'bench-cron'), 3_600_000, 1000);
    const drainMs = Date.now() - t0;
    const cron = await countersOf(t, cronTenant);
    const failed = await collection(t, 'pending_changes').countDocuments({ storeId: 'bench-cron', status: 'failed' });
    log(`sync: drained in ${drainMs} ms; ${cron.total} Xero calls, ${cron.http429} × 429, ${failed} failed items`);
    log(
      `sync: calls by endpoint ${JSON.stringify(cron.byEndpoint)}, by status ${JSON.stringify(cron.byStatus)}, ` +
        `elements ${JSON.stringify(cron.elements)}, elements per call ${JSON.stringify(cron.elementsPerCall)}`,
    );

    // Baseline: one delivery per change, in store order, batch size 1, nothing coalesced; the calls of each
    // delivery are charged to its entity type (deliveries run one at a time, so the org's counter tells).
    const sample = baselineSample(store, budget);
    let baselineDeferred = 0;
    const sampleCalls = new Map<EntityName, { calls: number; changes: number }>();
    const tallyOf = (entity: EntityName) => {
      const tally = sampleCalls.get(entity) ?? { calls: 0, changes: 0 };
      sampleCalls.set(entity, tally);
      return tally;
    };
    const ctx = await xeroContext(t);
    try {
      const delivery = ctx.get(XeroDeliveryService);
      const baseSettings = await ctx.get(StoreSettingsRepository).get('bench-base');
      const b0 = Date.now();
      let before = (await countersOf(t, baseTenant)).total;
      const deliverOne = async (env: EntityChangeEvent) => {
        const [r] = await delivery.deliver(
          baseSettings,
          [{ entity: env.entity, entityId: env.entityId, payload: env.payload, eventId: env.eventId }],
          { priority: 'normal' },
        );
        if (r?.status === 'deferred') baselineDeferred++;
        const after = (await countersOf(t, baseTenant)).total;
        tallyOf(env.entity).calls += after - before;
        before = after;
        return r?.status;
      };
      // A change that has to wait (a payment before the change that authorises its order's invoice, a refund
      // before its payment) is posted once that has happened, as a store extension's later retry would: here
      // after each later change of its order, and once more at the end.
      const waiting = new Map<string, EntityChangeEvent[]>();
      const orderKey = (env: EntityChangeEvent) =>
        env.entity === 'order' ? env.entityId : String((env.payload as { order_id?: number }).order_id);
      const wait = (env: EntityChangeEvent) => waiting.set(orderKey(env), [...(waiting.get(orderKey(env)) ?? []), env]);
      const retryWaiting = async (key: string) => {
        const list = waiting.get(key) ?? [];
        waiting.delete(key);
        for (const env of list) if ((await deliverOne(env)) === 'waiting') wait(env);
      };
      for (const env of envelopes('bench-base', sample.events)) {
        tallyOf(env.entity).changes += 1;
        const status = await deliverOne(env);
        if (env.entity === 'customer' || env.entity === 'product') continue;
        if (status === 'waiting') wait(env);
        else await retryWaiting(orderKey(env));
      }
      for (const key of [...waiting.keys()]) await retryWaiting(key);
      const stillWaiting = [...waiting.values()].reduce((n, l) => n + l.length, 0);
      if (stillWaiting > 0) log(`baseline: ${stillWaiting} changes still waiting at the end (their calls are missing)`);
      log(`baseline: ${sample.events.length} deliveries of ${sample.orders} orders in ${Date.now() - b0} ms`);
      // A deferred delivery made no call (the org's daily budget ran out): the calls per change would read low.
      if (baselineDeferred > 0)
        log(`baseline: ${baselineDeferred} deliveries deferred (daily budget): INVALID, lower BENCH_BASELINE_CALLS`);
    } finally {
      await ctx.close();
    }
    const base = await countersOf(t, baseTenant);
    // The whole data set at the sample's calls per change of each entity type (a sample's own calls per order
    // would over-weigh products, which every order shares: they are 500 changes whatever the sample's size).
    const fullChanges = new Map<EntityName, number>();
    for (const e of store.events) fullChanges.set(e.entity, (fullChanges.get(e.entity) ?? 0) + 1);
    let baselineCalls = 0;
    for (const [entity, n] of fullChanges) {
      const tally = sampleCalls.get(entity);
      if (!tally) throw new Error(`baseline sample has no ${entity} change to measure`);
      baselineCalls += (tally.calls / tally.changes) * n;
    }
    log(
      `baseline: calls per change ${[...sampleCalls].map(([e, x]) => `${e} ${round(x.calls / x.changes, 3)}`).join(', ')}; ` +
        `sample ${base.total} calls for ${sample.orders} orders, whole data set ~${Math.round(baselineCalls)} calls`,
    );
    const callsPerOrder = cron.total / orders;
    const baselinePerOrder = baselineCalls / orders;
    return {
      orders,
      calls_per_order: round(callsPerOrder, 4),
      baseline_calls_per_order: round(baselinePerOrder, 3),
      ratio_vs_baseline: round(baselinePerOrder / callsPerOrder, 1),
      http_429: cron.http429 + base.http429,
      drain_modelled_minutes: round(drainMs / (60000 / timeScale), 1),
      baseline_orders: sample.orders,
      baseline_sample_calls: base.total,
      baseline_deferred: baselineDeferred,
    };
  } finally {
    await syncer.app?.close();
    await teardownSyncerEnv(t);
  }
}

/** Immediately mode: signed webhooks through ingest at 20 events/s; latency = webhook sent → Xero write logged. */
async function immediateSection(timeScale: number, log: (l: string) => void, count: number) {
  const t = await setupSyncerEnv({ timeScale, extraEnv: BENCH_ENV });
  let ingest: Awaited<ReturnType<typeof bootIngest>> | undefined;
  let syncer: Awaited<ReturnType<typeof bootSyncer>> | undefined;
  try {
    const tenant = await connectStore(t, 'bench-imm', {
      mode: 'immediate',
      waitHorizonMinutes: waitHorizonMinutes(timeScale),
    });
    const secret = await registerWebhookStore(t, 'bench-imm');
    ingest = await bootIngest(t);
    syncer = await bootSyncer(t, 'bench-imm-syncer');
    const store = generateStore({
      seed: 7,
      storeId: 'bench-imm',
      customers: 40,
      products: 20,
      orders: count,
      scenarioMix: BENCH_SCENARIO_MIX,
    });
    const events = envelopes('bench-imm', store.events.slice(0, count));
    const sentAt = new Map<string, number>();
    const start = Date.now();
    for (let i = 0; i < events.length; i++) {
      const due = start + i * 50;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sentAt.set(events[i].eventId, Date.now());
      void postSignedWebhook(ingest.url, 'bench-imm', secret, [events[i]]).catch((err: unknown) =>
        log(`webhook failed: ${String(err)}`),
      );
    }
    // First successful Xero write of each event, whichever path took it (a change whose dependency was not yet
    // in Xero waits in the queue and counts with its full delay).
    const firstOk = await eventually(
      async () => {
        const found = await collection(t, 'sync_log').find({ storeId: 'bench-imm', status: 'success' }).toArray();
        const byEvent = new Map<string, number>();
        for (const r of found) {
          const at = new Date(r.createdAt as Date).getTime();
          const id = String(r.eventId);
          if (sentAt.has(id) && (!byEvent.has(id) || at < byEvent.get(id)!)) byEvent.set(id, at);
        }
        // Done when (nearly) every event is in Xero, or when nothing is left to do: an event the store's later
        // change superseded, or one Xero refused (reported as failed), never gets a success row.
        if (byEvent.size >= events.length * 0.98) return byEvent;
        return Date.now() - start > events.length * 50 + 10_000 && (await drained(t, 'bench-imm'))
          ? byEvent
          : undefined;
      },
      600_000,
      500,
    );
    const latencies = [...firstOk].map(([id, at]) => at - sentAt.get(id)!).sort((a, b) => a - b);
    const failed = await collection(t, 'pending_changes')
      .find({ storeId: 'bench-imm', status: 'failed' }, { projection: { entity: 1, entityId: 1, lastError: 1 } })
      .toArray();
    for (const f of failed) log(`immediate: failed ${String(f.entity)} ${String(f.entityId)}: ${String(f.lastError)}`);
    // The slowest events and every log row of theirs: which path (waiting, deferred, retried) took the time.
    const slowest = [...firstOk].sort((a, b) => b[1] - sentAt.get(b[0])! - (a[1] - sentAt.get(a[0])!)).slice(0, 5);
    for (const [id, at] of slowest) {
      const rows = await collection(t, 'sync_log').find({ storeId: 'bench-imm', eventId: id }).toArray();
      const steps = rows
        .map(
          (r) =>
            `${new Date(r.createdAt as Date).getTime() - sentAt.get(id)!} ms ${String(r.mode)} ${String(r.status)}: ${String(r.message).slice(0, 80)}`,
        )
        .join(' | ');
      log(
        `immediate: slow ${String(rows[0]?.entity)} ${String(rows[0]?.entityId)} ${at - sentAt.get(id)!} ms: ${steps}`,
      );
    }
    const calls = (await countersOf(t, tenant)).total;
    log(
      `immediate: ${latencies.length} events, p50 ${quantile(latencies, 0.5)} ms, p99 ${quantile(latencies, 0.99)} ms, ` +
        `${calls} Xero calls for ${events.length} events`,
    );
    return {
      p50_ms: quantile(latencies, 0.5),
      p99_ms: quantile(latencies, 0.99),
      events: latencies.length,
      xero_calls: calls,
      calls_per_event: round(calls / events.length, 3),
    };
  } finally {
    await ingest?.app.close();
    await syncer?.app.close();
    await teardownSyncerEnv(t);
  }
}

/**
 * Time for `syncers` built syncer processes to drain 3 Cron Job orgs' queues of the same generated data, with the
 * machine's busy share and each process's CPU per order over the same span.
 */
/** What one drain measured. */
interface Drain {
  ordersPerS: number;
  busy: number;
  cpuMsPerOrder: DrainCpu;
  commandsPerOrder: number;
  commandsByName: Record<string, number>;
  documentsByName: Record<string, number>;
}

async function drainWith(
  syncers: number,
  stores: GeneratedStore[],
  timeScale: number,
  log: (l: string) => void,
  seed?: (t: SyncerTestEnv, storeIds: string[]) => Promise<void>,
): Promise<Drain> {
  const t = await setupSyncerEnv({
    timeScale,
    extraEnv: { ...BENCH_ENV, SYNCER_INTERVAL_MINUTE_MS: String(60000 / timeScale) },
  });
  const children: ChildProcess[] = [];
  try {
    const ids = stores.map((_, i) => `scale-${i}`);
    const tenants: string[] = [];
    for (const id of ids)
      tenants.push(
        await connectStore(t, id, {
          mode: 'cron',
          cronIntervalMinutes: 1,
          waitHorizonMinutes: waitHorizonMinutes(timeScale),
        }),
      );
    if (seed) await seed(t, ids);
    const { children: spawned, commandsNow, documentsNow } = spawnCountingSyncers(t, syncers, 'scale-syncer');
    children.push(...spawned);
    // Let the group settle before the clock starts.
    await new Promise((r) => setTimeout(r, 8000));
    const cpuNow = cpuReader(children);
    // The counts files are rewritten every 500 ms: wait one period so both readings are as fresh.
    await new Promise((r) => setTimeout(r, 600));
    const commandsBefore = commandsNow();
    const documentsBefore = documentsNow();
    const cpuBefore = cpuNow();
    const ticksBefore = machineTicks();
    const t0 = Date.now();
    await publishEvents(
      t,
      stores.flatMap((s, i) => envelopes(ids[i], s.events)),
      200,
    );
    // A drained store stays drained (nothing more is published), so each store is checked until it is.
    const done = new Set<number>();
    await eventually(
      async () => {
        for (let i = 0; i < stores.length; i++) {
          if (done.has(i)) continue;
          if (!(await drainedAll(t, ids[i]))) return false;
          done.add(i);
        }
        return true;
      },
      3_600_000,
      1000,
    );
    const ms = Date.now() - t0;
    const busy = busyShare(ticksBefore, machineTicks());
    const cpuAfter = cpuNow();
    await new Promise((r) => setTimeout(r, 600));
    const commandsAfter = commandsNow();
    const documentsAfter = documentsNow();
    const orders = stores.reduce((s, x) => s + x.orders.length, 0);
    const perOrder = (key: keyof DrainCpu) => round(((cpuAfter[key] - cpuBefore[key]) * 1000) / orders, 1);
    const cpuMsPerOrder: DrainCpu = {
      syncers: perOrder('syncers'),
      ferretdb: perOrder('ferretdb'),
      kafka: perOrder('kafka'),
      bench: perOrder('bench'),
    };
    const commandsByName: Record<string, number> = {};
    for (const [name, n] of Object.entries(commandsAfter)) {
      const per = round((n - (commandsBefore[name] ?? 0)) / orders, 2);
      if (per > 0) commandsByName[name] = per;
    }
    const documentsByName: Record<string, number> = {};
    for (const [name, n] of Object.entries(documentsAfter)) {
      const per = round((n - (documentsBefore[name] ?? 0)) / orders, 2);
      if (per > 0) documentsByName[name] = per;
    }
    const commandsPerOrder = round(
      Object.values(commandsByName).reduce((a, b) => a + b, 0),
      2,
    );
    log(
      `scale: ${syncers} syncer(s) drained ${orders} orders on ${stores.length} orgs in ${ms} ms; machine ` +
        `${Math.round(busy * 100)} % busy; CPU ms per order: ${JSON.stringify(cpuMsPerOrder)}; MongoDB commands ` +
        `per order: ${commandsPerOrder} ${JSON.stringify(commandsByName)}; documents per order: ` +
        JSON.stringify(documentsByName),
    );
    return { ordersPerS: orders / (ms / 1000), busy, cpuMsPerOrder, commandsPerOrder, commandsByName, documentsByName };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => waitForExit(c, 30000).catch(() => c.kill('SIGKILL'))));
    await teardownSyncerEnv(t);
  }
}

/**
 * Bulk-inserts `items` synced records of history, spread over the stores, where synced records live
 * (`record_copies`): orders with a store-sized payload, as a store's past would leave them. Returns the seconds it
 * took.
 */
async function seedHistory(t: SyncerTestEnv, storeIds: string[], items: number, log: (l: string) => void) {
  const t0 = Date.now();
  const copies = collection(t, 'record_copies');
  // A deployment's history grows under the collection's indexes (the first syncer creates them on an empty
  // collection). Seeded without them, the drain's syncer built the index over the whole history at start-up
  // (mongoose autoIndex), and that one-off was counted as the drain's: 175 s and 17.4 ms of FerretDB CPU per order
  // against 113 s and 13.2 ms with the index in place (1.26 against 1.01).
  for (const [fields, options] of RecordCopySchema.indexes())
    await copies.createIndex(fields as never, options as never);
  const payload = (id: number) =>
    JSON.stringify({
      entity_id: id,
      increment_id: `H${id}`,
      state: 'complete',
      items: [1, 2, 3].map((n) => ({ sku: `SKU-${n}`, name: `Product ${n}`, qty_ordered: 1, price: 10.5 * n })),
      grand_total: 63,
      customer_email: `h${id % 5000}@example.com`,
    });
  const at = new Date(Date.now() - 86_400_000);
  const batch = 5000;
  for (let i = 0; i < items; i += batch) {
    const docs = [];
    for (let j = i; j < Math.min(items, i + batch); j++) {
      const storeId = storeIds[j % storeIds.length];
      const entityId = String(900_000_000 + j);
      docs.push({
        _id: `${storeId}|order|${entityId}`,
        storeId,
        entity: 'order',
        entityId,
        rank: 1,
        eventId: `history-${j}`,
        occurredAt: at,
        payload: payload(j),
        attempts: 1,
        syncedAt: at,
        xeroId: `00000000-0000-0000-0000-${String(j).padStart(12, '0')}`,
        createdAt: at,
        updatedAt: at,
      });
    }
    await copies.insertMany(docs as never[], { ordered: false });
  }
  const seconds = (Date.now() - t0) / 1000;
  // What one scan of the seeded collection costs here (FerretDB reads every document for any filter but `_id`):
  // any query of the data path that scanned it would cost about this much each time.
  const scanStarted = Date.now();
  await copies.countDocuments({ storeId: storeIds[0] });
  log(
    `history: seeded ${items} synced records in ${Math.round(seconds)} s; one scan of them ${Date.now() - scanStarted} ms`,
  );
  return seconds;
}

/**
 * The history section: one syncer drains the same 3 orgs' data twice, with no history and with `items` synced
 * records of history in their collections, and compares the data path's CPU and MongoDB commands per order.
 */
async function historySection(
  stores: GeneratedStore[],
  timeScale: number,
  items: number,
  log: (l: string) => void,
): Promise<NonNullable<SyncBenchResult['sim']>> {
  // Without history before and after the drain with it, so the machine's drift between drains shows (the
  // reference is their mean).
  const before = await drainWith(1, stores, timeScale, log);
  let seedS = 0;
  const seeded = await drainWith(1, stores, timeScale, log, async (t, ids) => {
    seedS = await seedHistory(t, ids, items, log);
  });
  const after = await drainWith(1, stores, timeScale, log);
  const mean = (a: number, b: number) => round((a + b) / 2, 1);
  const none = {
    cpuMsPerOrder: {
      syncers: mean(before.cpuMsPerOrder.syncers, after.cpuMsPerOrder.syncers),
      ferretdb: mean(before.cpuMsPerOrder.ferretdb, after.cpuMsPerOrder.ferretdb),
      kafka: mean(before.cpuMsPerOrder.kafka, after.cpuMsPerOrder.kafka),
      bench: mean(before.cpuMsPerOrder.bench, after.cpuMsPerOrder.bench),
    },
    commandsPerOrder: round((before.commandsPerOrder + after.commandsPerOrder) / 2, 2),
  };
  const cpuRatio = pathCpu(seeded.cpuMsPerOrder) / pathCpu(none.cpuMsPerOrder);
  const commandsRatio = seeded.commandsPerOrder / none.commandsPerOrder;
  // The worse of the two; a cost that grows with history grows linearly with it (a scan), so below 1 M the excess
  // at `items` is scaled up to 1 M (noise included: a conservative figure).
  const measured = Math.max(cpuRatio, commandsRatio);
  const full = 1_000_000;
  return {
    history_ratio_1m_vs_0: round(items >= full ? measured : 1 + (Math.max(0, measured - 1) * full) / items, 2),
    history_items: items,
    history_extrapolated: items < full,
    history_cpu_ratio_measured: round(cpuRatio, 2),
    history_commands_ratio_measured: round(commandsRatio, 2),
    history_cpu_ms_per_order_0: none.cpuMsPerOrder,
    history_cpu_ms_per_order_n: seeded.cpuMsPerOrder,
    history_db_commands_per_order_0: none.commandsPerOrder,
    history_db_commands_per_order_n: seeded.commandsPerOrder,
    history_seed_s: round(seedS, 1),
    history_cpu_ms_per_order_0_before_after: [pathCpu(before.cpuMsPerOrder), pathCpu(after.cpuMsPerOrder)].map((x) =>
      round(x, 1),
    ),
  };
}

export async function runSyncBench(opts: SyncBenchOptions = {}): Promise<SyncBenchResult> {
  const scale = opts.scale ?? 1;
  const timeScale = opts.timeScale ?? 60;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const n = (full: number) => Math.max(1, Math.round(full * scale));
  const store = generateStore({
    seed: 42,
    storeId: 'bench-cron',
    orders: n(10000),
    customers: n(2000),
    products: n(500),
    scenarioMix: BENCH_SCENARIO_MIX,
  });
  log(
    `data: ${store.orders.length} orders, ${store.customers.length} customers, ${store.products.length} products, ` +
      `${store.invoices.length} invoices, ${store.creditMemos.length} credit memos, ${store.events.length} changes`,
  );
  const wants = (section: SyncSection) => !opts.sections || opts.sections.includes(section);
  const result: SyncBenchResult = {};
  if (wants('calls')) result.sync = await syncSection(store, timeScale, opts.baselineCallBudget ?? 3000, log);
  if (wants('immediate')) result.immediate = await immediateSection(timeScale, log, Math.max(100, n(600)));
  const scaleStores = () =>
    [0, 1, 2].map((i) =>
      generateStore({
        seed: 100 + i,
        orders: n(3000),
        customers: n(600),
        products: n(150),
        scenarioMix: BENCH_SCENARIO_MIX,
      }),
    );
  if (wants('history')) {
    buildOnce();
    result.sim = await historySection(scaleStores(), timeScale, opts.historyItems ?? 1_000_000, log);
  }
  if (wants('scale')) {
    buildOnce();
    const stores = scaleStores();
    const pairs: { one: Drain; three: Drain; ratio: number }[] = [];
    for (let run = 0; run < Math.max(1, opts.scaleRepeats ?? 3); run++) {
      const one = await drainWith(1, stores, timeScale, log);
      const three = await drainWith(3, stores, timeScale, log);
      pairs.push({ one, three, ratio: pathCpu(three.cpuMsPerOrder) / pathCpu(one.cpuMsPerOrder) });
    }
    const { one, three, ratio } = [...pairs].sort((a, b) => a.ratio - b.ratio)[Math.floor(pairs.length / 2)];
    result.scale = {
      speedup_3_vs_1: round(three.ordersPerS / one.ordersPerS, 2),
      orders_per_s_1: round(one.ordersPerS, 1),
      orders_per_s_3: round(three.ordersPerS, 1),
      machine_busy_1: round(one.busy, 2),
      machine_busy_3: round(three.busy, 2),
      machine_bound_3_vs_1: round(1 / one.busy, 2),
      cpu_ms_per_order_1: one.cpuMsPerOrder,
      cpu_ms_per_order_3: three.cpuMsPerOrder,
      cpu_ratio_3_vs_1: round(ratio, 2),
      cpu_ratio_3_vs_1_runs: pairs.map((p) => round(p.ratio, 2)),
      db_commands_per_order_1: one.commandsPerOrder,
      db_commands_per_order_3: three.commandsPerOrder,
      db_commands_by_name_1: one.commandsByName,
      db_commands_by_name_3: three.commandsByName,
      db_documents_by_name_1: one.documentsByName,
      db_documents_by_name_3: three.documentsByName,
    };
    result.sync_path = {
      db_commands_per_order: one.commandsPerOrder,
      cpu_ms_per_order: round(pathCpu(one.cpuMsPerOrder), 1),
      cpu_ms_per_order_parts: one.cpuMsPerOrder,
      orders: stores.reduce((sum, st) => sum + st.orders.length, 0),
    };
  }
  // The issue's targets name these `sync.db_commands_per_order` and `sync.cpu_ms_per_order`: kept beside the calls
  // figures too (the calls drain runs in-process, where the syncer's own commands and CPU cannot be told apart).
  if (result.sync_path) {
    const { orders: pathOrders, ...path } = result.sync_path;
    result.sync = {
      ...(result.sync ?? ({} as NonNullable<SyncBenchResult['sync']>)),
      ...path,
      path_orders: pathOrders,
    };
  }
  return result;
}

if (require.main === module) {
  const scale = Number(process.argv[2] ?? 1);
  runSyncBench({ scale })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    });
}
