import { Injectable } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { ChunkTask, prepareChunk, PreparedChunk } from './ndjson-chunk';

/**
 * Prepares backfill chunks (parse, validate, serialise: about a third of a backfill's CPU) on a worker thread
 * pool, so the thread that feeds Kafka does only the publishing and the machine's other core is used too
 * (docs/ingest.md). The compiled app has the worker script next to this file; run from TypeScript sources (the
 * in-process e2e tests) there is none, and the same prepareChunk runs on this thread instead.
 * The pool is not destroyed at shutdown: that would fail a running backfill's next chunk and mark the job failed,
 * where a stopped instance should leave it to be resumed from its cursor. Idle threads end after 30 s, and
 * Piscina does not let them keep the process alive.
 */
@Injectable()
export class NdjsonChunkPreparer {
  private readonly pool: Piscina<ChunkTask, PreparedChunk> | undefined;

  constructor() {
    const worker = join(__dirname, 'ndjson-chunk.worker.js');
    this.pool = existsSync(worker)
      ? new Piscina({
          filename: worker,
          minThreads: 0,
          maxThreads: Math.max(1, availableParallelism() - 1),
          idleTimeout: 30_000,
        })
      : undefined;
  }

  prepare(task: ChunkTask): Promise<PreparedChunk> {
    return this.pool ? this.pool.run(task) : Promise.resolve().then(() => prepareChunk(task));
  }
}
