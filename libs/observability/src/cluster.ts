import cluster, { Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry } from 'prom-client';
import { metricsRegistry } from './metrics';

const METRICS_REQUEST = 'xero-sync:metrics-request';
const METRICS_REPLY = 'xero-sync:metrics-reply';

interface MetricsReply {
  type: typeof METRICS_REPLY;
  id: string;
  body?: string;
  error?: string;
}

// In a worker, prom-client answers the primary's aggregation requests from these registries; constructing an
// AggregatorRegistry is what installs its listener.
if (cluster.isWorker) {
  AggregatorRegistry.setRegistries([metricsRegistry]);
  new AggregatorRegistry();
}

/**
 * The Prometheus exposition for `/metrics`. In a cluster worker it covers every worker: the request goes to the
 * primary, which gathers all workers' registries (prom-client's AggregatorRegistry), so a scrape that lands on
 * any worker sees the whole app.
 */
export function scrapeMetrics(): Promise<string> {
  if (!cluster.isWorker) return metricsRegistry.metrics();
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error('metrics: the cluster primary did not answer within 5 s'));
    }, 5000);
    const onMessage = (m: MetricsReply) => {
      if (m?.type !== METRICS_REPLY || m.id !== id) return;
      done();
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(m.body ?? '');
    };
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}

/**
 * Runs `workers` copies of this process behind one listening port (Node cluster: the primary hands connections
 * to the workers) and supervises them: a worker that dies is replaced; one that exits before it ever listened
 * (bad environment, port taken) stops the whole app with its exit code; SIGTERM/SIGINT are passed on so each
 * worker shuts down gracefully before the primary exits. Call from the primary only; each worker runs the app's
 * normal bootstrap.
 */
export function superviseWorkers(name: string, workers: number): void {
  const aggregator = new AggregatorRegistry();
  const listening = new Set<number>();
  let stopping = false;
  let exitCode = 0;
  const say = (line: string) => process.stderr.write(`${JSON.stringify({ app: name, pid: process.pid, msg: line })}\n`);
  const fork = () => cluster.fork();
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
  };

  cluster.on('message', (worker: Worker, m: { type?: string; id?: string }) => {
    if (m?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (body) => worker.send({ type: METRICS_REPLY, id: m.id, body }),
      (err: unknown) => worker.send({ type: METRICS_REPLY, id: m.id, error: String(err) }),
    );
  });
  cluster.on('listening', (worker) => listening.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    const served = listening.delete(worker.id);
    if (!stopping && !served) {
      say(`worker ${worker.process.pid} failed at start (${signal ?? `exit ${code}`}); stopping ${name}`);
      exitCode = code || 1;
      stop('SIGTERM');
    } else if (!stopping) {
      say(`worker ${worker.process.pid} exited (${signal ?? code}); starting a replacement`);
      fork();
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(exitCode);
  });
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < workers; i++) fork();
  say(`${name}: ${workers} workers`);
}
