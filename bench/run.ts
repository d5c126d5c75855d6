/**
 * `npm run bench`: runs every benchmark against the real pipeline (Kafka, FerretDB, the Xero sandbox) on this
 * machine and writes bench/results/latest.json. Starts Kafka and FerretDB if they are not running and stops
 * what it started. Every figure comes from this run; nothing is a constant.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@xero-sync/testing';
import { runBudgetBench } from './budget.bench';
import { runIngestBench } from './ingest.bench';
import { runSimBench } from './sim.bench';
import { runSyncBench, SyncSection } from './sync.bench';

function infra(action: 'status' | 'up' | 'down'): boolean {
  const r = spawnSync('bash', [join(repoRoot, 'scripts/infra.sh'), action], {
    stdio: action === 'status' ? 'ignore' : 'inherit',
  });
  return r.status === 0;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const wants = (name: string) => only.length === 0 || only.includes(name);
  const started = !infra('status') && infra('up');
  const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
  try {
    const results: Record<string, unknown> = {
      machine: {
        cores: cpus().length,
        cpu: cpus()[0]?.model,
        memory_gb: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      started_at: new Date().toISOString(),
    };
    if (wants('ingest')) {
      log('ingest: webhook throughput/latency and NDJSON backfill');
      results.ingest = await runIngestBench();
      log(JSON.stringify(results.ingest));
    }
    if (wants('sync')) {
      log('sync: calls per order vs per-record baseline, Immediately latency, 1 vs 3 syncers');
      // BENCH_SYNC_SCALE shrinks the data set (1 = 10,000 orders) when a full run does not fit the time at hand.
      const scale = Number(process.env.BENCH_SYNC_SCALE ?? 1);
      const baselineCallBudget = process.env.BENCH_BASELINE_CALLS
        ? Number(process.env.BENCH_BASELINE_CALLS)
        : undefined;
      // BENCH_SYNC_SECTIONS (comma-separated: calls, immediate, scale, history) runs part of it, e.g. a full-size calls run.
      const sections = process.env.BENCH_SYNC_SECTIONS?.split(',').map((x) => x.trim()) as SyncSection[] | undefined;
      // BENCH_HISTORY_ITEMS: synced records of history the `history` section seeds (default 1 M).
      const historyItems = process.env.BENCH_HISTORY_ITEMS ? Number(process.env.BENCH_HISTORY_ITEMS) : undefined;
      // BENCH_SCALE_REPEATS: pairs of 1- and 3-syncer drains the `scale` section runs (default 3; the median counts).
      const scaleRepeats = process.env.BENCH_SCALE_REPEATS ? Number(process.env.BENCH_SCALE_REPEATS) : undefined;
      const sync = await runSyncBench({ log, scale, baselineCallBudget, sections, historyItems, scaleRepeats });
      results.sync_scale = scale;
      Object.assign(results, sync);
      log(JSON.stringify(sync));
    }
    if (wants('sim')) {
      log('sim: one syncer, 3 / 50 / 200 orgs of skewed sizes and mixed settings, the same orders in all');
      // BENCH_SIM_SCALE: orders over all stores of each drain (default 1,500); BENCH_SIM_ORGS: the numbers of orgs
      // (comma-separated, default 3,50,200). Merged into `sim` beside the history section's figures.
      const orgs = process.env.BENCH_SIM_ORGS?.split(',').map((x) => Number(x.trim()));
      const totalOrders = process.env.BENCH_SIM_SCALE ? Number(process.env.BENCH_SIM_SCALE) : undefined;
      const sim = await runSimBench({ log, orgs, totalOrders });
      results.sim = { ...(results.sim as Record<string, unknown> | undefined), ...sim };
      log(JSON.stringify(sim));
    }
    if (wants('budget')) {
      log('budget: 3 syncer processes + admin reads on one org, backfill in Immediately mode, Sync Now pressed');
      // BENCH_BUDGET_SCALE sizes the backfill (1 = 10,000 orders); BENCH_BUDGET_TIME_SCALE is the one knob that
      // shortens the Xero minute on both sides (sandbox and XERO_MINUTE_MS); BENCH_BUDGET_MINUTES is the measured
      // span in Xero minutes; BENCH_BUDGET_PRESS_MS the real ms between Sync Now presses.
      const num = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
      const budget = await runBudgetBench({
        log,
        scale: num('BENCH_BUDGET_SCALE'),
        timeScale: num('BENCH_BUDGET_TIME_SCALE'),
        minutes: num('BENCH_BUDGET_MINUTES'),
        pressEveryMs: num('BENCH_BUDGET_PRESS_MS'),
        syncers: num('BENCH_BUDGET_SYNCERS'),
      });
      Object.assign(results, budget);
      log(JSON.stringify(budget));
    }
    results.finished_at = new Date().toISOString();
    const dir = join(repoRoot, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${join(dir, 'latest.json')}`);
  } finally {
    if (started) infra('down');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
