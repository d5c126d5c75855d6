import type { BackfillItemError } from '@xero-sync/persistence';
import { IncomingContext, normalizeIncomingEvent } from '../webhooks/dto/incoming-event.dto';
import { SerializedEvent, serializeEvent } from '../webhooks/serialized-event';

/** A run of NDJSON lines to turn into Kafka records (plain data: it crosses to a worker thread). */
export interface ChunkTask {
  /** The lines as read, blank ones included, so line numbers stay exact. */
  lines: string[];
  /** 1-based number of lines[0] in the upload. */
  firstLine: number;
  ctx: IncomingContext;
  topicPrefix: string;
  /** Item errors kept for this chunk at most (the job keeps the first MAX_BACKFILL_ERRORS overall). */
  maxErrors: number;
}

export interface PreparedChunk {
  records: SerializedEvent[];
  failed: number;
  errors: BackfillItemError[];
}

/**
 * Parses and validates each non-blank line (an envelope or `{entity, payload}`, filled in like a webhook's) and
 * serialises the valid ones; invalid lines are counted, the first `maxErrors` with their line number and field
 * errors. Pure and synchronous: it runs in a worker thread (ndjson-chunk.worker.ts) or, where none is available,
 * on the caller's thread.
 */
export function prepareChunk(task: ChunkTask): PreparedChunk {
  const chunk: PreparedChunk = { records: [], failed: 0, errors: [] };
  const keep = (error: BackfillItemError) => {
    if (chunk.errors.length < task.maxErrors) chunk.errors.push(error);
  };
  task.lines.forEach((line, i) => {
    if (line.length === 0 || !/[^\r]/.test(line)) return;
    const lineNo = task.firstLine + i;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      chunk.failed++;
      keep({ line: lineNo, path: '(root)', message: `not JSON: ${(err as Error).message}` });
      return;
    }
    const result = normalizeIncomingEvent(json, task.ctx);
    if (!result.ok) {
      chunk.failed++;
      for (const e of result.errors) keep({ line: lineNo, path: e.path, message: e.message });
      return;
    }
    chunk.records.push(serializeEvent(result.value, task.topicPrefix));
  });
  return chunk;
}
