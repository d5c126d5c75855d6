import 'reflect-metadata';
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@xero-sync/config';
import { bootstrapApp, superviseWorkers } from '@xero-sync/observability';
import { IngestModule } from './ingest.module';
import { configureIngestHttp, ingestHttpAdapter } from './ingest-http';

/**
 * Boots ingest (on Fastify, see ingest-http.ts) and listens on INGEST_PORT. Exported so e2e tests and the
 * benchmark start the real app. Nest's body parsers are off: webhooks need their exact bytes for the signature,
 * and backfill uploads are streamed, never buffered.
 */
export function startIngest(): Promise<INestApplication> {
  return bootstrapApp({
    name: 'ingest',
    require: ['TOKEN_ENCRYPTION_KEY'],
    module: (c) => IngestModule.forRoot(c),
    port: (c) => c.INGEST_PORT,
    adapter: ingestHttpAdapter,
    configure: (app) => configureIngestHttp(app as NestFastifyApplication),
  });
}

/** Ingest processes to run (INGEST_WORKERS; 0 = one per core); a bad environment counts as one, which reports it. */
function workerCount(): number {
  try {
    const n = loadConfig({ require: ['TOKEN_ENCRYPTION_KEY'] }).INGEST_WORKERS;
    return n === 0 ? availableParallelism() : n;
  } catch {
    return 1;
  }
}

if (require.main === module) {
  // Webhooks are CPU-bound on the HTTP stack: one process per core. Every worker is a full ingest instance (own
  // Kafka producer, backfill leases by process), so nothing but the listening port is shared.
  const workers = cluster.isPrimary ? workerCount() : 1;
  if (workers > 1) superviseWorkers('ingest', workers);
  else void startIngest();
}
