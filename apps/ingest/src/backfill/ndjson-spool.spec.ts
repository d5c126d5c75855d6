import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { NdjsonUploadMeter, readNdjsonLines } from './ndjson-spool';

async function meter(chunks: Buffer[], limit?: number) {
  const hash = createHash('sha256');
  const m = new NdjsonUploadMeter(hash, limit);
  await pipeline(Readable.from(chunks), m, new Writable({ write: (_c, _e, done) => done() }));
  return { lines: m.lines, bytes: m.bytes, hex: hash.digest('hex') };
}

describe('NDJSON spool', () => {
  it('counts exactly the non-blank lines the reader yields, wherever the chunks split, and hashes every byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndjson-spec-'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant(''),
            fc.constant('\r'),
            fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.replace(/[\r\n]/g, 'x')),
          ),
          { maxLength: 30 },
        ),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.integer({ min: 1, max: 7 }),
        async (lines, eol, trailing, chunkSize) => {
          const text = lines.join(eol) + (trailing ? eol : '');
          const bytes = Buffer.from(text);
          const chunks: Buffer[] = [];
          for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
          const measured = await meter(chunks);
          const file = join(dir, 'f.ndjson');
          writeFileSync(file, bytes);
          const read: string[] = [];
          for await (const line of readNdjsonLines(file)) read.push(line);
          expect(measured.lines).toBe(read.filter((l) => /[^\r]/.test(l)).length);
          expect(measured.bytes).toBe(bytes.length);
          expect(measured.hex).toBe(createHash('sha256').update(bytes).digest('hex'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stops at the first chunk past the signed length', async () => {
    await expect(meter([Buffer.alloc(10), Buffer.alloc(10)], 15)).rejects.toMatchObject({ code: 'BODY_MISMATCH' });
  });
});
