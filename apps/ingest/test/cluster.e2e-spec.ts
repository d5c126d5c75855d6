import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { EVENT_HEADERS } from '@xero-sync/contracts';
import { childPids } from '@xero-sync/testing';
import { buildOnce } from '../../syncer/test/support/syncer-harness';
import {
  IngestHarness,
  samplePayloads,
  signedHeaders,
  signedUploadHeaders,
  startIngestHarness,
} from './ingest-harness';

/**
 * The BUILT ingest with INGEST_WORKERS=2: two processes behind one port. Shares the harness's store, topics and
 * database (the harness's own in-process ingest only sets them up).
 */
describe('ingest as a cluster of workers', () => {
  let h: IngestHarness;
  let primary: ChildProcess;
  let url: string;
  // A new connection per request: the cluster primary hands connections to the workers in turn.
  const agent = new Agent({ keepAlive: false });

  const workerPids = () => childPids(primary.pid!);
  // The scrape credential: the bootstrap admin key, which every app honours like admin-api does.
  const scrapeKey = randomBytes(24).toString('base64url');

  const call = (method: 'GET' | 'POST', path: string, body = '', headers: Record<string, string> = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${url}${path}`, { method, agent, headers });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  const sendOrders = (from: number, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) => {
        const body = JSON.stringify({ entity: 'order', payload: samplePayloads.order(from + i) });
        const headers = { 'content-type': 'application/json', ...signedHeaders(h.secret, body) };
        return call('POST', `/v1/stores/${h.storeId}/events`, body, headers);
      }),
    );

  const publishedOrders = async () => {
    const { text } = await call('GET', '/metrics', '', { authorization: `Bearer ${scrapeKey}` });
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('xero_sync_events_out_total{') && l.includes('app="ingest"') && l.includes('entity="order"'),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  };

  const healthy = async (timeoutMs: number) => {
    await h.waitFor(
      () =>
        call('GET', '/health').then(
          (r) => r.status === 200,
          () => false,
        ),
      timeoutMs,
      'the clustered ingest to answer /health',
    );
  };

  beforeAll(async () => {
    buildOnce();
    h = await startIngestHarness();
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    url = `http://127.0.0.1:${port}`;
    primary = spawn(process.execPath, [join(__dirname, '../../../dist/apps/ingest/src/main.js')], {
      env: { ...process.env, INGEST_PORT: String(port), INGEST_WORKERS: '2', ADMIN_BOOTSTRAP_TOKEN: scrapeKey },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await healthy(60_000);
    await h.waitFor(() => workerPids().length === 2, 30_000, 'two workers');
  }, 180_000);

  afterAll(async () => {
    if (primary && primary.exitCode === null) {
      primary.kill('SIGKILL');
      for (const pid of workerPids()) process.kill(pid, 'SIGKILL');
    }
    agent.destroy();
    await h.stop();
  });

  it('serves webhooks from both workers, and /metrics on any worker counts them all', async () => {
    const records = await h.collect();
    const answers = await sendOrders(1000, 40);
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(202));
    await h.waitFor(() => records.length >= 40, 30_000, '40 records on Kafka');
    expect(new Set(records.map((r) => r.headers[EVENT_HEADERS.eventId])).size).toBe(40);
    expect(records.every((r) => r.key === h.storeId)).toBe(true);
    // Each scrape lands on either worker; every one must see both workers' 40 (one worker alone served ~20).
    for (let i = 0; i < 4; i++) expect(await publishedOrders()).toBe(40);
  });

  it('answers 401 to a scrape without the credential or with a wrong one', async () => {
    expect((await call('GET', '/metrics')).status).toBe(401);
    expect((await call('GET', '/metrics', '', { authorization: 'Bearer not-a-key' })).status).toBe(401);
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it('publishes a backfill upload to a worker in file order, with exact counts and error lines', async () => {
    const records = await h.collect();
    const lines: string[] = [];
    for (let i = 1; i <= 2500; i++) {
      lines.push(
        i % 400 === 0
          ? '{"entity": "order"'
          : JSON.stringify({ entity: 'order', payload: samplePayloads.order(10_000 + i) }),
      );
    }
    const body = `${lines.join('\n')}\n`;
    const headers = { 'content-type': 'application/x-ndjson', ...signedUploadHeaders(h.secret, body) };
    const res = await call('POST', `/v1/stores/${h.storeId}/backfill`, body, headers);
    expect(res.status).toBe(202);
    const { statusUrl } = JSON.parse(res.text) as { statusUrl: string };
    let job: { status: string; published: number; failed: number; errors: { line: number }[] } | undefined;
    await h.waitFor(
      async () => {
        job = JSON.parse((await call('GET', statusUrl, '', signedHeaders(h.secret, ''))).text);
        return job?.status === 'succeeded';
      },
      60_000,
      'the backfill job to succeed',
    );
    expect(job).toMatchObject({ published: 2494, failed: 6 });
    expect(job!.errors.map((e) => e.line)).toEqual([400, 800, 1200, 1600, 2000, 2400]);
    const backfilled = () => records.filter((r) => r.value.includes('"origin":"backfill"'));
    await h.waitFor(() => backfilled().length >= 2494, 30_000, 'the backfill records on Kafka');
    // One store, one partition: the records are in the file's order across all three chunks.
    const ids = backfilled().map((r) => (JSON.parse(r.value) as { entityId: string }).entityId);
    const expected = Array.from({ length: 2500 }, (_, i) => i + 1)
      .filter((i) => i % 400 !== 0)
      .map((i) => String(10_000 + i));
    expect(ids).toEqual(expected);
  });

  it('replaces a worker that dies and keeps accepting; SIGTERM stops the primary and its workers', async () => {
    const [victim] = workerPids();
    process.kill(victim, 'SIGKILL');
    await h.waitFor(() => workerPids().length === 2 && !workerPids().includes(victim), 60_000, 'a replacement worker');
    await healthy(60_000);
    // The replacement may still be booting: connections it is handed wait for it to listen.
    const answers = await sendOrders(2000, 10);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));

    const pids = workerPids();
    const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
    primary.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
