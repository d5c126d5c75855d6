import { createReadStream } from 'node:fs';
import { Transform, TransformCallback } from 'node:stream';
import type { Hash } from 'node:crypto';
import { IngestError } from '../ingest.errors';

/** Largest NDJSON upload accepted (it is spooled to local disk before anything is published): 8 GiB. */
export const MAX_BACKFILL_BYTES = 8 * 1024 ** 3;

const NEWLINE = 0x0a;
const CR = 0x0d;

/** True when the line segment holds anything but carriage returns (i.e. it is not a blank line). */
function hasContent(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== CR) return true;
  return false;
}

/**
 * Pass-through that feeds every byte of the upload into its SHA-256 (the digest the store signed), counts non-blank
 * lines (the job's total) and stops at the first byte past `limit` (the length the store signed). Holds no data
 * itself, so memory stays flat whatever the size.
 */
export class NdjsonUploadMeter extends Transform {
  bytes = 0;
  lines = 0;
  private lineHasContent = false;

  constructor(
    private readonly hash: Hash,
    private readonly limit = MAX_BACKFILL_BYTES,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      done(
        new IngestError('BODY_MISMATCH', `body is longer than the ${this.limit} bytes X-Content-Length signed`, [
          { path: 'header:X-Content-Length', message: 'the body is longer than this' },
        ]),
      );
      return;
    }
    this.hash.update(chunk);
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      if (this.lineHasContent || hasContent(chunk, start, nl)) this.lines++;
      this.lineHasContent = false;
      start = nl + 1;
    }
    if (start < chunk.length && hasContent(chunk, start, chunk.length)) this.lineHasContent = true;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.lineHasContent) this.lines++;
    done();
  }
}

/**
 * Reads an NDJSON file line by line (split on \n, a trailing \r dropped) with the stream's own backpressure:
 * the consumer's pace decides how fast the file is read, so memory holds one read buffer and one line.
 */
export async function* readNdjsonLines(path: string): AsyncGenerator<string> {
  const input = createReadStream(path, { highWaterMark: 1024 * 1024 });
  let rest: Buffer | undefined;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let nl = buf.indexOf(NEWLINE, start); nl !== -1; nl = buf.indexOf(NEWLINE, start)) {
        const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
        yield buf.toString('utf8', start, end);
        start = nl + 1;
      }
      rest = start < buf.length ? buf.subarray(start) : undefined;
    }
    if (rest) {
      const end = rest[rest.length - 1] === CR ? rest.length - 1 : rest.length;
      yield rest.toString('utf8', 0, end);
    }
  } finally {
    input.destroy();
  }
}
