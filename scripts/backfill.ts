/**
 * `npm run backfill -- --store <storeId> --file <export.ndjson> [--url http://127.0.0.1:3001] [--secret <s>]`
 * ("Add All Data To Queue" from a file). The store's webhook secret comes from --secret or STORE_SECRET.
 * Reads the file twice with constant memory: once for its SHA-256 (the upload is signed over
 * `<timestamp>.<sha256>.<length>`, which ingest checks before it reads a byte of the body, and it then holds the
 * body to both), once to upload it; then follows the job to its end with a progress bar.
 */
import { SingleBar, Presets } from 'cli-progress';
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { signStoreBody, signUpload } from '@xero-sync/security';

interface JobView {
  jobId: string;
  status: string;
  total: number;
  published: number;
  failed: number;
  errors: { line?: number; path: string; message: string }[];
  lastError?: string;
  statusUrl: string;
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function upload(
  url: URL,
  headers: Record<string, string>,
  file: string,
  onBytes: (n: number) => void,
): Promise<JobView> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : request)(url, { method: 'POST', headers });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        if (res.statusCode === 202) return resolve(JSON.parse(text) as JobView);
        reject(new Error(`ingest answered ${res.statusCode}: ${text}`));
      });
    });
    req.on('error', reject);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        onBytes(chunk.length);
        done(null, chunk);
      },
    });
    pipeline(createReadStream(file), meter, req).catch(reject);
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      store: { type: 'string' },
      file: { type: 'string' },
      url: { type: 'string', default: 'http://127.0.0.1:3001' },
      secret: { type: 'string' },
    },
  });
  // A CLI argument would show in the process list; the environment is the safer way to pass the secret.
  const secret = values.secret ?? process.env.STORE_SECRET;
  if (!values.store || !values.file || !secret) {
    process.stderr.write(
      'usage: STORE_SECRET=… npm run backfill -- --store <storeId> --file <export.ndjson> [--url http://127.0.0.1:3001]\n',
    );
    return 2;
  }
  const size = statSync(values.file).size;
  process.stdout.write(`hashing ${values.file} (${(size / 2 ** 20).toFixed(1)} MiB)…\n`);
  const sha256 = await sha256OfFile(values.file);
  // Signed after hashing: a large file takes a while to hash, and the timestamp must be fresh when ingest sees it.
  const timestamp = Math.floor(Date.now() / 1000);

  const bar = new SingleBar(
    { format: '{phase} |{bar}| {percentage}% {value}/{total} {unit}', hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(size, 0, { phase: 'upload ', unit: 'bytes' });
  const base = new URL(values.url);
  const job = await upload(
    new URL(`/v1/stores/${encodeURIComponent(values.store)}/backfill`, base),
    {
      'Content-Type': 'application/x-ndjson',
      'Content-Length': String(size),
      'X-Store-Timestamp': String(timestamp),
      'X-Content-SHA256': sha256,
      'X-Content-Length': String(size),
      'X-Store-Signature': signUpload(secret, timestamp, sha256, size),
    },
    values.file,
    (n) => bar.increment(n),
  ).finally(() => bar.stop());

  const progress = new SingleBar(
    { format: 'publish |{bar}| {percentage}% {value}/{total} lines, {failed} invalid', hideCursor: true },
    Presets.shades_classic,
  );
  progress.start(Math.max(job.total, 1), 0, { failed: 0 });
  let view = job;
  while (view.status === 'queued' || view.status === 'running') {
    await new Promise((r) => setTimeout(r, 500));
    const now = Math.floor(Date.now() / 1000);
    const res = await fetch(new URL(job.statusUrl, base), {
      headers: { 'X-Store-Timestamp': String(now), 'X-Store-Signature': signStoreBody(secret, now, '') },
    });
    if (!res.ok) throw new Error(`job status answered ${res.status}: ${await res.text()}`);
    view = (await res.json()) as JobView;
    progress.update(view.published + view.failed, { failed: view.failed });
  }
  progress.stop();
  process.stdout.write(
    `job ${view.jobId}: ${view.status}; ${view.published} published, ${view.failed} invalid of ${view.total}\n`,
  );
  for (const e of view.errors.slice(0, 20)) process.stdout.write(`  line ${e.line ?? '?'}: ${e.path}: ${e.message}\n`);
  if (view.lastError) process.stdout.write(`  ${view.lastError}\n`);
  return view.status === 'succeeded' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`backfill failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
