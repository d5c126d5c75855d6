/**
 * What the drain benchmarks share (bench/sync.bench.ts's scale and history sections, bench/sim.bench.ts): the
 * benchmark syncer environment, envelopes of generated data, "everything drained" from Kafka and the queue, built
 * syncers that count their MongoDB commands, and CPU readings of the data path's processes.
 */
import { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topics } from '@xero-sync/contracts';
import { GeneratedEvent, toEnvelope } from '@xero-sync/testing';
import { defaultStoreSettings } from '@xero-sync/persistence';
import { collection, spawnSyncer, SyncerTestEnv } from '../apps/syncer/test/support/syncer-harness';
import { cpuSeconds, infraPid, selfCpuSeconds } from './proc-stats';

/** Production-like consumer session and delivery timeouts: the benchmark loads the machine, unlike the tests. */
export const BENCH_ENV = {
  SYNCER_SESSION_TIMEOUT_MS: '30000',
  SYNCER_DELIVERY_TIMEOUT_MS: '300000',
  // Each tick asks the queue which stores have due items: a full collection scan on FerretDB v1 (~0.5 s with a
  // few hundred queued orders while the flush writes), so a fast tick would spend the database on asking.
  SYNCER_FLUSH_TICK_MS: '1000',
  // The deployment's leases, not the tests' (3 s / 8 s, short so that takeovers happen quickly): with those a
  // 2,000-item batch extended its claim every few seconds, rewriting the whole batch each time.
  SYNCER_FLUSH_LEASE_MS: '30000',
  SYNCER_CLAIM_LEASE_MS: '120000',
};

/** CPU seconds, or per order milliseconds, by process: syncers, FerretDB, Kafka, this process (sandbox, publishing). */
export interface DrainCpu {
  syncers: number;
  ferretdb: number;
  kafka: number;
  bench: number;
}

/**
 * The bench's stores' wait horizon: the default one in modelled time (a bench minute lasts 60 000 / timeScale ms,
 * the horizon counts real minutes), so a record whose dependency never comes fails after a modelled hour instead of
 * holding the drain for a real one.
 */
export function waitHorizonMinutes(timeScale: number): number {
  return defaultStoreSettings('bench').waitHorizonMinutes / timeScale;
}

/** Envelopes for a generated store's changes, with strictly increasing occurredAt (the store's own order). */
export function envelopes(storeId: string, events: GeneratedEvent[], t0 = Date.now() - events.length) {
  return events.map((e, i) => toEnvelope(storeId, e, 'webhook', new Date(t0 + i)));
}

/**
 * Everything published to the run's entity topics is consumed by the syncer group: its committed offsets reached
 * the topics' ends. The syncer commits an offset only once the event is durably queued (or delivered), so this
 * says the whole data set is in the queue, from Kafka alone: counting the queue is a full scan on FerretDB v1,
 * and polling it every second loaded the very database the benchmark measures.
 */
export async function allConsumed(t: SyncerTestEnv): Promise<boolean> {
  const admin = t.kafka.admin();
  await admin.connect();
  try {
    const entityTopics = topics.allEntityChanged(t.prefix);
    const committed = await admin.fetchOffsets({ groupId: `${t.groupPrefix}-syncer`, topics: entityTopics });
    for (const { topic, partitions } of committed) {
      const done = new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
      for (const end of await admin.fetchTopicOffsets(topic))
        if (Number(end.high) > Number(end.low) && (done.get(end.partition) ?? -1) < Number(end.high)) return false;
    }
    return true;
  } finally {
    await admin.disconnect();
  }
}

/** Per run: true once every published event is consumed (it stays so: nothing more is published). */
const fullyQueued = new WeakMap<SyncerTestEnv, boolean>();

/** Every published event consumed and no open item left for the store (or, without one, for any store of the run). */
export async function drainedAll(t: SyncerTestEnv, storeId?: string): Promise<boolean> {
  if (!fullyQueued.get(t)) {
    if (!(await allConsumed(t))) return false;
    fullyQueued.set(t, true);
  }
  return drained(t, storeId);
}

/** No open item left. `findOne` stops at the first open item, where a count would read the whole queue. */
export async function drained(t: SyncerTestEnv, storeId?: string): Promise<boolean> {
  const open = await collection(t, 'pending_changes').findOne(
    { ...(storeId === undefined ? {} : { storeId }), status: { $nin: ['synced', 'failed'] } },
    { projection: { _id: 1 } },
  );
  return open === null;
}

/** Built syncer processes that count their MongoDB commands (bench/mongo-commands.preload.ts). */
export interface CountingSyncers {
  children: ChildProcess[];
  /** Commands sent so far by all of them, by `command collection`. */
  commandsNow(): Record<string, number>;
  /** Milliseconds those commands took so far (sent to answered), by the same keys. */
  commandMsNow(): Record<string, number>;
  /** Commands and their milliseconds so far by query shape (`find flush_schedules {flushRequestedAt}`). */
  shapesNow(): Record<string, [number, number]>;
  /** Documents those commands inserted, matched, removed or returned so far, by the same keys. */
  documentsNow(): Record<string, number>;
}

/** Spawns `count` built syncers (`<namePrefix>-<i>`), each counting its MongoDB commands into a fresh directory. */
export function spawnCountingSyncers(t: SyncerTestEnv, count: number, namePrefix: string): CountingSyncers {
  const countsDir = mkdtempSync(join(tmpdir(), 'bench-mongo-commands-'));
  const nodeOptions = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${nodeOptions ?? ''} --require ${join(__dirname, 'mongo-commands.preload.js')}`.trim();
  process.env.BENCH_MONGO_COMMANDS_DIR = countsDir;
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < count; i++) children.push(spawnSyncer(t, `${namePrefix}-${i}`));
  } finally {
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
    delete process.env.BENCH_MONGO_COMMANDS_DIR;
  }
  // Each syncer's files: `<id>.json` counts, `<id>.ms.json` milliseconds, `<id>.shapes.json` both by query shape,
  // `<id>.docs.json` documents.
  const files = (kind: string) =>
    readdirSync(countsDir)
      .filter((f) => f.replace(/^.*?((\.ms|\.shapes|\.docs)?\.json)$/, '$1') === kind)
      .map((f) => JSON.parse(readFileSync(join(countsDir, f), 'utf8')) as Record<string, number | [number, number]>);
  const sum = (kind: string): Record<string, number> => {
    const total: Record<string, number> = {};
    for (const counts of files(kind))
      for (const [name, n] of Object.entries(counts)) total[name] = (total[name] ?? 0) + Number(n);
    return total;
  };
  const shapesNow = (): Record<string, [number, number]> => {
    const total: Record<string, [number, number]> = {};
    for (const shapes of files('.shapes.json'))
      for (const [shape, v] of Object.entries(shapes)) {
        const [n, ms] = v as [number, number];
        total[shape] = [(total[shape]?.[0] ?? 0) + n, (total[shape]?.[1] ?? 0) + ms];
      }
    return total;
  };
  return {
    children,
    commandsNow: () => sum('.json'),
    commandMsNow: () => sum('.ms.json'),
    shapesNow,
    documentsNow: () => sum('.docs.json'),
  };
}

/** CPU seconds used so far by the syncers, FerretDB, Kafka and this process. */
export function cpuReader(children: ChildProcess[]): () => DrainCpu {
  const ferretdb = infraPid('ferretdb');
  const kafka = infraPid('kafka');
  return () => ({
    syncers: children.reduce((sum, c) => sum + (c.pid ? cpuSeconds(c.pid) : 0), 0),
    ferretdb: ferretdb ? cpuSeconds(ferretdb) : 0,
    kafka: kafka ? cpuSeconds(kafka) : 0,
    bench: selfCpuSeconds(),
  });
}

/** The data path's CPU per order: syncers, database and broker (not the benchmark and its sandbox). */
export function pathCpu(cpu: DrainCpu): number {
  return cpu.syncers + cpu.ferretdb + cpu.kafka;
}

export function round(n: number, dp: number): number {
  const f = 10 ** dp;
  return Math.round(n * f) / f;
}
