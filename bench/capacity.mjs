/**
 * `npm run capacity`: the fleet for 10,000 stores and 20 M events a day, derived from the per-order and per-event
 * costs the benchmark measured on this machine (bench/results/latest.json, written by `npm run bench`). Every
 * assumption is a named constant printed with the result; a figure whose measurement is missing from the file is
 * reported as missing, never guessed. docs/capacity.md explains the method.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? join(root, 'bench', 'results', 'latest.json');

const A = {
  stores: 10_000,
  eventsPerDay: 20_000_000,
  /** Store changes per order in the bench's data (31,170 changes for 10,000 orders, BENCH_SCENARIO_MIX). */
  changesPerOrder: 3.117,
  /** The busiest hour carries this multiple of the day's mean rate. */
  peakFactor: 3,
  /** Planned CPU use per core, leaving room for rebalances, retries and a lost instance. */
  coreUtilisation: 0.6,
  /** Bytes of one event on the broker (JSON envelope and Magento payload, before compression). */
  eventBytes: 1500,
  kafkaRetentionDays: 7,
  kafkaReplication: 3,
  /** Partitions per syncer the topics allow, so the fleet can double without repartitioning (which moves keys). */
  partitionsPerSyncer: 2,
  /** Sync log rows per order (one per record attempt after coalescing: order, invoice, memo share, contact, item). */
  logRowsPerOrder: 2.2,
  logRowBytes: 700,
  logRetentionDays: 90,
  /** Records kept in record_copies per order (order, its invoice, a share of memos, contacts and items). */
  recordsPerOrder: 2.2,
  recordBytes: 2000,
  /** Xero's per-org daily call limit. */
  xeroCallsPerOrgDay: 5000,
  minInstances: 2,
};

let results;
try {
  results = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  process.stderr.write(`capacity: cannot read ${file} (${String(err)}); run \`npm run bench\` first\n`);
  process.exit(1);
}

/** The first measured value among the keys (dot paths), with the key it came from. */
function measured(...paths) {
  for (const path of paths) {
    const v = path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), results);
    if (typeof v === 'number' && Number.isFinite(v)) return { v, from: path };
  }
  return undefined;
}

// The many-org simulation's largest point (one syncer, the most orgs, skewed sizes, mixed Cron Job and
// Immediately) is the shape of a fleet of small stores; the 3-org drains are the fallback when it was not run.
const simOrgs = Array.isArray(results.sim?.orgs) ? Math.max(...results.sim.orgs) : undefined;
const sim = simOrgs === undefined ? [] : [`sim.cost_per_event_${simOrgs}`];
const syncerMs = measured(
  ...sim.map((k) => `${k}.cpu_ms_per_order.syncers`),
  'scale.cpu_ms_per_order_1.syncers',
  'sim.history_cpu_ms_per_order_0.syncers',
);
const dbMs = measured(
  ...sim.map((k) => `${k}.cpu_ms_per_order.ferretdb`),
  'scale.cpu_ms_per_order_1.ferretdb',
  'sim.history_cpu_ms_per_order_0.ferretdb',
);
const kafkaMs = measured(
  ...sim.map((k) => `${k}.cpu_ms_per_order.kafka`),
  'scale.cpu_ms_per_order_1.kafka',
  'sim.history_cpu_ms_per_order_0.kafka',
);
const commands = measured(
  ...sim.map((k) => `${k}.db_commands_per_order`),
  'scale.db_commands_per_order_1',
  'sim.history_db_commands_per_order_0',
);
const orgsRatio =
  simOrgs === undefined ? undefined : measured(`sim.cost_ratio_${simOrgs}_vs_${Math.min(...results.sim.orgs)}`);
const ingestMs = measured('ingest.ingest_cpu_ms_per_event');
const kafkaIngestMs = measured('ingest.kafka_cpu_ms_per_event');
const callsPerOrder = measured('sync.calls_per_order');
const historyRatio = measured('sim.history_ratio_1m_vs_0');

const day = 86_400;
const ordersPerDay = A.eventsPerDay / A.changesPerOrder;
const meanOrdersPerS = ordersPerDay / day;
const peakOrdersPerS = meanOrdersPerS * A.peakFactor;
const peakEventsPerS = (A.eventsPerDay / day) * A.peakFactor;
const cores = (msPerUnit, perS) => (msPerUnit * perS) / 1000 / A.coreUtilisation;
const fmt = (n, dp = 0) => n.toLocaleString('en-US', { maximumFractionDigits: dp, minimumFractionDigits: dp });
const gb = (bytes) => `${fmt(bytes / 1e9, 1)} GB`;
const rows = [];
const row = (figure, value, how) => rows.push(`| ${figure} | ${value} | ${how} |`);
const missing = (key) => `not measured (${key} missing from ${file})`;

row('orders per day', fmt(ordersPerDay), `${fmt(A.eventsPerDay)} events / ${A.changesPerOrder} changes per order`);
row(
  'orders per second (mean / peak)',
  `${fmt(meanOrdersPerS, 1)} / ${fmt(peakOrdersPerS, 1)}`,
  `peak = ${A.peakFactor}× the mean; events per second at peak ${fmt(peakEventsPerS)}`,
);

let syncers;
if (syncerMs) {
  syncers = Math.max(A.minInstances, Math.ceil(cores(syncerMs.v, peakOrdersPerS)));
  row(
    'syncers (one core each)',
    fmt(syncers),
    `${syncerMs.v} ms CPU per order (${syncerMs.from}) × peak orders/s at ${A.coreUtilisation * 100} % of a core`,
  );
} else row('syncers', missing('scale.cpu_ms_per_order_1'), '');

const partitions = Math.max(12, Math.ceil(((syncers ?? A.minInstances) * A.partitionsPerSyncer) / 12) * 12);
row(
  'Kafka partitions per entity topic',
  fmt(partitions),
  `${A.partitionsPerSyncer} per syncer, multiples of 12, key = store id (ordering per store)`,
);
const kafkaBytes = A.eventsPerDay * A.eventBytes * A.kafkaRetentionDays * A.kafkaReplication;
row(
  'Kafka retention and disk',
  `${A.kafkaRetentionDays} days, ${gb(kafkaBytes)}`,
  `${fmt(A.eventsPerDay)} × ${A.eventBytes} B × ${A.kafkaRetentionDays} d × replication ${A.kafkaReplication} (replay reads this window)`,
);
if (kafkaMs || kafkaIngestMs) {
  const brokerMs = (kafkaMs?.v ?? 0) + (kafkaIngestMs?.v ?? 0) * A.changesPerOrder;
  row(
    'Kafka broker CPU at peak',
    `${fmt(cores(brokerMs, peakOrdersPerS), 1)} cores`,
    `${fmt(brokerMs, 1)} ms per order (syncer side ${kafkaMs?.v ?? 'n/a'}, ingest side ${kafkaIngestMs?.v ?? 'n/a'} per event)`,
  );
}

if (commands) {
  row(
    'MongoDB operations per second (mean / peak)',
    `${fmt(meanOrdersPerS * commands.v)} / ${fmt(peakOrdersPerS * commands.v)}`,
    `${commands.v} commands per order (${commands.from}, driver command monitoring)`,
  );
} else row('MongoDB operations per second', missing('scale.db_commands_per_order_1'), '');
if (dbMs) {
  row(
    'database CPU at peak (FerretDB on this machine)',
    `${fmt(cores(dbMs.v, peakOrdersPerS), 1)} cores`,
    `${dbMs.v} ms per order (${dbMs.from}); MongoDB is expected to need less (indexes on due time)`,
  );
}
if (orgsRatio) {
  row(
    `CPU per store change, ${simOrgs} orgs vs ${Math.min(...results.sim.orgs)}`,
    `${orgsRatio.v}×`,
    `${orgsRatio.from}: above 1, a cost grows with the number of orgs, and the figures above (taken at ${simOrgs}) grow further toward ${fmt(A.stores)} stores`,
  );
}
if (historyRatio) {
  row(
    'flush cost, 1 M records of history vs none',
    `${historyRatio.v}×`,
    'sim.history_ratio_1m_vs_0: the figures above hold as stores age',
  );
}

const logBytes = ordersPerDay * A.logRowsPerOrder * A.logRowBytes;
row(
  'storage: sync_log',
  `${gb(logBytes)} a day, ${gb(logBytes * A.logRetentionDays)} kept`,
  `${A.logRowsPerOrder} rows × ${A.logRowBytes} B per order, SYNC_LOG_RETENTION_DAYS ${A.logRetentionDays}`,
);
const copyBytes = ordersPerDay * A.recordsPerOrder * A.recordBytes;
row(
  'storage: record_copies',
  `${gb(copyBytes)} a day, ${gb(copyBytes * 365)} a year`,
  `${A.recordsPerOrder} records × ${A.recordBytes} B per order; one per record, kept (Sync Now, reconciliation read it)`,
);
row(
  'storage: pending_changes',
  'open work only',
  'synced items leave it: bounded by the cron interval × the rate, plus failed items',
);

if (ingestMs) {
  const ingest = Math.max(A.minInstances, Math.ceil(cores(ingestMs.v, peakEventsPerS)));
  row(
    'ingest instances (one core each)',
    fmt(ingest),
    `${ingestMs.v} ms CPU per webhook event (ingest.ingest_cpu_ms_per_event)`,
  );
} else row('ingest instances', missing('ingest.ingest_cpu_ms_per_event'), '');

if (callsPerOrder) {
  const perOrg = (callsPerOrder.v * ordersPerDay) / A.stores;
  row(
    'Xero calls per org per day (mean)',
    fmt(perOrg),
    `${callsPerOrder.v} calls per order (sync.calls_per_order); limit ${fmt(A.xeroCallsPerOrgDay)} per org`,
  );
} else row('Xero calls per org per day', missing('sync.calls_per_order'), '');

process.stdout.write(
  [
    `Capacity for ${fmt(A.stores)} stores and ${fmt(A.eventsPerDay)} events a day, from ${file}` +
      (results.started_at ? ` (bench run ${results.started_at})` : ''),
    '',
    '| figure | value | derived from |',
    '|---|---|---|',
    ...rows,
    '',
    `Assumptions: ${JSON.stringify(A)}`,
    '',
  ].join('\n'),
);
