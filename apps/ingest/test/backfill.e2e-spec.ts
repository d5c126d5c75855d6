import { readdir } from 'node:fs/promises';
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { EVENT_HEADERS, EntityName, parseEntityChangeEvent, topics } from '@xero-sync/contracts';
import { BackfillJobRepository, StoreSettingsRepository } from '@xero-sync/persistence';
import { signUpload } from '@xero-sync/security';
import { requestsRecorded } from '@xero-sync/testing';
import { spoolDir } from '../src/backfill/start-ndjson-backfill.usecase';
import {
  IngestHarness,
  Published,
  samplePayloads,
  signedHeaders,
  signedUploadHeaders,
  startIngestHarness,
} from './ingest-harness';

const PAGE_SIZE = 5;
const SPOOL_LIMIT = 64 * 1024 * 1024;

describe('backfill ("Add All Data To Queue") against real Kafka and FerretDB', () => {
  let h: IngestHarness;
  let records: Published[];
  let jobs: BackfillJobRepository;

  beforeAll(async () => {
    h = await startIngestHarness({
      MAGENTO_PAGE_SIZE: String(PAGE_SIZE),
      INGEST_BACKFILL_UPLOADS_PER_STORE: '1',
      INGEST_BACKFILL_SPOOL_BYTES_PER_STORE: String(SPOOL_LIMIT),
    });
    records = await h.collect();
    jobs = h.app.get(BackfillJobRepository);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const ofJob = (jobId: string) => records.filter((r) => r.headers[EVENT_HEADERS.correlationId] === jobId);

  async function waitForJob(jobId: string, status: string) {
    await h.waitFor(async () => (await jobs.findById(jobId))?.status === status, 60_000, `job ${jobId} ${status}`);
    return (await jobs.findById(jobId))!;
  }

  describe('NDJSON upload', () => {
    const spools = async () => (await readdir(spoolDir()).catch(() => [])).sort();

    /**
     * Streams a generated body of `size` bytes in 1 KiB chunks, each written only after the one before left (so a
     * refusal is seen before much is sent); resolves with the answer and the bytes written until it came.
     */
    function streamUpload(headers: Record<string, string>, size: number) {
      return new Promise<{ status: number; connection: unknown; code: string; bytesSent: number }>(
        (resolve, reject) => {
          let bytesSent = 0;
          let answered = false;
          const req = request(`${h.url}/v1/stores/${h.storeId}/backfill`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-ndjson', ...headers },
          });
          req.on('response', (res) => {
            answered = true;
            const parts: Buffer[] = [];
            res.on('data', (c: Buffer) => parts.push(c));
            res.on('end', () => {
              req.destroy();
              const json = JSON.parse(Buffer.concat(parts).toString()) as { code: string };
              resolve({ status: res.statusCode!, connection: res.headers.connection, code: json.code, bytesSent });
            });
          });
          req.on('error', (err) => (answered ? undefined : reject(err)));
          const chunk = Buffer.alloc(1024, 0x61);
          const next = () => {
            if (answered || bytesSent >= size) return;
            bytesSent += chunk.length;
            req.write(chunk, () => setTimeout(next, 5));
          };
          next();
        },
      );
    }

    async function upload(body: string, headers: Record<string, string>) {
      const res = await fetch(`${h.url}/v1/stores/${h.storeId}/backfill`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson', ...headers },
        body,
      });
      return { status: res.status, json: (await res.json()) as any };
    }

    it('publishes every valid line with origin "backfill" and counts invalid lines with their line numbers', async () => {
      const entities: EntityName[] = ['customer', 'product', 'order', 'invoice', 'creditmemo'];
      const lines: string[] = [];
      const invalidLines: number[] = [];
      let blank = 0;
      for (let i = 1; i <= 3000; i++) {
        const entity = entities[i % entities.length];
        if (i % 97 === 0) {
          lines.push('{"entity": "order", "payload": ');
          invalidLines.push(i);
        } else if (i % 61 === 0) {
          lines.push(
            JSON.stringify({
              entity,
              payload: { ...samplePayloads[entity](i), created_at: 'yesterday', email: 'nope' },
            }),
          );
          invalidLines.push(i);
        } else if (i % 500 === 0) {
          lines.push('');
          blank++;
        } else if (i % 2 === 0) {
          const payload = samplePayloads[entity](i);
          const entityId = entity === 'product' ? `SKU-${i}` : String(i);
          lines.push(
            JSON.stringify({
              eventId: randomUUID(),
              entity,
              entityId,
              occurredAt: new Date().toISOString(),
              schemaVersion: 1,
              origin: 'webhook',
              payload,
            }),
          );
        } else {
          lines.push(JSON.stringify({ entity, payload: samplePayloads[entity](i) }));
        }
      }
      const body = lines.join('\r\n') + '\n';
      const res = await upload(body, signedUploadHeaders(h.secret, body));
      expect(res.status).toBe(202);
      const nonBlank = 3000 - blank;
      expect(res.json).toMatchObject({ storeId: h.storeId, source: 'ndjson', total: nonBlank });

      const job = await waitForJob(res.json.jobId, 'succeeded');
      expect(job.total).toBe(nonBlank);
      expect(job.failed).toBe(invalidLines.length);
      expect(job.published).toBe(nonBlank - invalidLines.length);
      expect(job.errors.map((e) => e.line)).toEqual(expect.arrayContaining(invalidLines.slice(0, 20)));
      expect(job.errors.find((e) => e.line === 61)).toMatchObject({ path: expect.stringMatching(/^payload\./) });
      expect(job.errors.find((e) => e.line === 97)).toMatchObject({
        path: '(root)',
        message: expect.stringContaining('not JSON'),
      });

      // What landed on Kafka is exactly what the job counts: one record per valid line, each a valid backfill envelope.
      await h.waitFor(() => ofJob(job.jobId).length >= job.published, 60_000, 'all backfill records');
      const landed = ofJob(job.jobId);
      expect(landed).toHaveLength(job.published);
      expect(new Set(landed.map((r) => r.headers[EVENT_HEADERS.eventId])).size).toBe(job.published);
      for (const r of landed) {
        expect(r.key).toBe(h.storeId);
        const parsed = parseEntityChangeEvent(JSON.parse(r.value));
        expect(parsed.ok && parsed.value.origin).toBe('backfill');
        expect(parsed.ok && r.topic).toBe(topics.entityChanged(parsed.ok ? parsed.value.entity : 'order', h.prefix));
      }

      // The store can read its job's progress with a signed GET.
      const ts = Math.floor(Date.now() / 1000);
      const statusRes = await fetch(`${h.url}${res.json.statusUrl}`, { headers: signedHeaders(h.secret, '', ts) });
      expect(statusRes.status).toBe(200);
      expect(await statusRes.json()).toMatchObject({ jobId: job.jobId, status: 'succeeded', published: job.published });

      // Fastify's routes record their durations under their templates (the webhook route its own: webhook-route.spec).
      expect(await requestsRecorded('ingest', '/v1/stores/:storeId/backfill', 202)).toBeGreaterThanOrEqual(1);
      expect(await requestsRecorded('ingest', '/v1/stores/:storeId/backfill/:jobId', 200)).toBeGreaterThanOrEqual(1);
    });

    it('refuses uploads that are not signed, signed by another key or not the body signed: no job, no spool, nothing published', async () => {
      const marker = `marker-${randomUUID()}`;
      const body =
        JSON.stringify({ entity: 'customer', payload: { ...samplePayloads.customer(5), lastname: marker } }) + '\n';
      const spoolsBefore = await spools();
      const before = (await jobs.listByStore(h.storeId)).length;
      const foreign = await upload(body, signedUploadHeaders('another-stores-secret', body));
      expect(foreign).toMatchObject({ status: 401, json: { code: 'SIGNATURE_INVALID' } });
      const missing = await upload(body, {});
      expect(missing).toMatchObject({ status: 401, json: { code: 'SIGNATURE_MISSING' } });
      // The old scheme (an HMAC over the whole body) is not enough: the digest and length must be declared.
      const oldScheme = await upload(body, signedHeaders(h.secret, body));
      expect(oldScheme).toMatchObject({
        status: 400,
        json: { code: 'UPLOAD_HEADER_INVALID', errors: [{ path: 'header:X-Content-SHA256' }] },
      });
      // Signed for one body, another of the same length sent: read, found different, discarded.
      const other = body.replace(marker, marker.toUpperCase());
      const swapped = await upload(other, signedUploadHeaders(h.secret, body));
      expect(swapped).toMatchObject({
        status: 400,
        json: { code: 'BODY_MISMATCH', errors: [{ path: 'header:X-Content-SHA256' }] },
      });
      const longer = await upload(body + body, signedUploadHeaders(h.secret, body));
      expect(longer).toMatchObject({ status: 400, json: { code: 'UPLOAD_HEADER_INVALID' } });
      const wrongType = await fetch(`${h.url}/v1/stores/${h.storeId}/backfill`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...signedUploadHeaders(h.secret, body) },
        body,
      });
      expect(wrongType.status).toBe(415);
      expect(await jobs.listByStore(h.storeId)).toHaveLength(before);
      expect(await spools()).toEqual(spoolsBefore);
      await new Promise((r) => setTimeout(r, 1000));
      expect(records.filter((r) => r.value.includes(marker))).toEqual([]);
    });

    it('takes an upload signed with the replaced secret through its grace, and refuses it once revoked', async () => {
      const body = JSON.stringify({ entity: 'customer', payload: samplePayloads.customer(6) }) + '\n';
      const started: string[] = [];
      const signedWith = async (secret: string) => {
        const res = await upload(body, signedUploadHeaders(secret, body));
        if (res.status === 202) started.push(res.json.jobId);
        return res.status;
      };
      // Rotated with a grace: once the 3-s secret cache has turned over the new secret is taken, and the old one still.
      const graced = (await h.stores.rotateSecret(h.storeId, 60 * 60_000))!;
      await h.waitFor(async () => (await signedWith(graced.webhookSecret)) === 202, 10_000, 'the new secret');
      expect(await signedWith(h.secret)).toBe(202);
      // Rotated again with no grace: the secret just replaced is refused once the newest one is taken.
      const revoked = (await h.stores.rotateSecret(h.storeId, 0))!;
      await h.waitFor(async () => (await signedWith(revoked.webhookSecret)) === 202, 10_000, 'the newest secret');
      expect(await upload(body, signedUploadHeaders(graced.webhookSecret, body))).toMatchObject({
        status: 401,
        json: { code: 'SIGNATURE_INVALID' },
      });
      h.secret = revoked.webhookSecret;
      // Every upload taken became a job of the store and ran (which also frees the store's upload slots again).
      expect(started.length).toBeGreaterThanOrEqual(3);
      for (const jobId of started) expect((await waitForJob(jobId, 'succeeded')).storeId).toBe(h.storeId);
    });

    it('refuses an unauthenticated 1 GiB upload within its first bytes and writes nothing to disk', async () => {
      const spoolsBefore = await spools();
      const outcome = await streamUpload(
        {
          'X-Store-Timestamp': String(Math.floor(Date.now() / 1000)),
          'X-Content-SHA256': '0'.repeat(64),
          'X-Content-Length': String(1024 ** 3),
          'X-Store-Signature': `sha256=${'0'.repeat(64)}`,
        },
        1024 ** 3,
      );
      expect(outcome.status).toBe(401);
      expect(outcome.connection).toBe('close');
      expect(outcome.bytesSent).toBeLessThan(16 * 1024);
      expect(await spools()).toEqual(spoolsBefore);
    });

    it('holds a store to its concurrent uploads and spool bytes: 429 before the body is read', async () => {
      const over = signedUploadHeaders(h.secret, 'x');
      const big = { ...over, 'X-Content-Length': String(SPOOL_LIMIT + 1) };
      big['X-Store-Signature'] = signUpload(
        h.secret,
        over['X-Store-Timestamp'],
        over['X-Content-SHA256'],
        SPOOL_LIMIT + 1,
      );
      const tooBig = await streamUpload(big, SPOOL_LIMIT + 1);
      expect(tooBig).toMatchObject({ status: 429, connection: 'close', code: 'SPOOL_QUOTA_EXCEEDED' });
      expect(tooBig.bytesSent).toBeLessThan(16 * 1024);

      // One upload in progress (half its body sent, then held) takes the store's only slot.
      const line = `${JSON.stringify({ entity: 'customer', payload: samplePayloads.customer(9) })}\n`;
      const body = line.repeat(200);
      const first = request(`${h.url}/v1/stores/${h.storeId}/backfill`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-ndjson', ...signedUploadHeaders(h.secret, body) },
      });
      first.on('error', () => undefined);
      first.write(body.slice(0, body.length / 2));
      await h.waitFor(async () => (await spools()).length > 0, 10_000, 'the first upload to start spooling');
      const second = await upload(body, signedUploadHeaders(h.secret, body));
      expect(second).toMatchObject({ status: 429, json: { code: 'UPLOADS_IN_PROGRESS' } });
      // The first client goes away: its spool is discarded and the slot freed.
      first.destroy();
      await h.waitFor(async () => (await spools()).length === 0, 10_000, 'the aborted spool to be discarded');
      const third = await upload(body, signedUploadHeaders(h.secret, body));
      expect(third.status).toBe(202);
      await waitForJob(third.json.jobId, 'succeeded');
    });
  });

  describe('Magento 2 REST pull connector', () => {
    let server: Server;
    let baseUrl: string;
    const token = `tok-${randomUUID()}`;
    const requests: { entity: string; page: number }[] = [];
    const storeTimeZone = 'Pacific/Auckland';
    let faults: ((entity: string, page: number) => { status: number; body?: unknown } | undefined) | undefined;

    const counts: Record<EntityName, number> = { customer: 23, product: 7, order: 12, invoice: 5, creditmemo: 3 };
    const data: Record<EntityName, unknown[]> = {
      customer: [],
      product: [],
      order: [],
      invoice: [],
      creditmemo: [],
    };
    for (const entity of Object.keys(counts) as EntityName[]) {
      for (let i = 1; i <= counts[entity]; i++) data[entity].push(samplePayloads[entity](i));
    }
    // A configurable product without a price: Magento returns such items, the contract refuses them.
    (data.product[3] as Record<string, unknown>).price = undefined;
    const paths: Record<string, EntityName> = {
      '/rest/V1/customers/search': 'customer',
      '/rest/V1/products': 'product',
      '/rest/V1/orders': 'order',
      '/rest/V1/invoices': 'invoice',
      '/rest/V1/creditmemos': 'creditmemo',
    };

    function answer(req: IncomingMessage, res: ServerResponse) {
      const url = new URL(req.url ?? '/', 'http://x');
      const entity = paths[url.pathname];
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`)
        return send(401, { message: "The consumer isn't authorized to access %resources." });
      // Magento's store configuration: the admin view (id 0) and the storefront view, with its locale settings.
      if (url.pathname === '/rest/V1/store/storeConfigs')
        return send(200, [
          { id: 0, code: 'admin', website_id: 0, timezone: 'UTC' },
          { id: 1, code: 'default', website_id: 1, locale: 'en_NZ', timezone: storeTimeZone },
        ]);
      if (!entity) return send(404, { message: 'Request does not match any route.' });
      const pageSize = Number(url.searchParams.get('searchCriteria[pageSize]'));
      const requested = Number(url.searchParams.get('searchCriteria[currentPage]'));
      expect(url.searchParams.get('searchCriteria[sortOrders][0][field]')).toBe('entity_id');
      requests.push({ entity, page: requested });
      const fault = faults?.(entity, requested);
      if (fault) return send(fault.status, fault.body ?? { message: 'fault' });
      const items = data[entity];
      // Like Magento: a page past the end answers with the last page again.
      const lastPage = Math.max(1, Math.ceil(items.length / pageSize));
      const page = Math.min(requested, lastPage);
      send(200, {
        items: items.slice((page - 1) * pageSize, page * pageSize),
        search_criteria: { filter_groups: [], page_size: pageSize, current_page: page },
        total_count: items.length,
      });
    }

    beforeAll(async () => {
      server = createServer(answer);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await h.stores.setMagentoCredentials(h.storeId, { baseUrl, token });
    });
    afterAll(async () => {
      await new Promise((r) => server.close(r));
    });

    const sendCommand = async (command: Record<string, unknown>) => {
      const producer = h.kafka.producer();
      await producer.connect();
      await producer.send({
        topic: topics.commands(h.prefix),
        messages: [
          {
            key: h.storeId,
            value: JSON.stringify({
              commandId: randomUUID(),
              storeId: h.storeId,
              requestedAt: new Date().toISOString(),
              ...command,
            }),
          },
        ],
      });
      await producer.disconnect();
    };

    it('pages through every entity, survives a transient 503, fails on a revoked token and resumes from the last completed page', async () => {
      const jobId = randomUUID();
      let transientServed = false;
      faults = (entity, page) => {
        if (entity === 'product' && page === 1 && !transientServed) {
          transientServed = true;
          return { status: 503 };
        }
        if (entity === 'order' && page === 2) return { status: 401, body: { message: 'token revoked' } };
        return undefined;
      };
      await sendCommand({
        type: 'backfill.start',
        jobId,
        entities: ['creditmemo', 'order', 'customer', 'product', 'invoice'],
        requestedBy: 'e2e',
      });

      const failed = await waitForJob(jobId, 'failed');
      expect(failed.cursor).toEqual({ entity: 'order', page: 2 });
      expect(failed.lastError).toContain('401');
      // customers (23) + products (7, one invalid) + the first page of orders (5) were settled before the failure.
      expect(failed).toMatchObject({ published: 23 + 6 + 5, failed: 1, total: 23 + 7 + 12 });
      expect(failed.errors).toEqual([
        expect.objectContaining({ entity: 'product', page: 1, path: 'items.3.payload.price' }),
      ]);

      faults = undefined;
      const before = requests.length;
      await sendCommand({
        type: 'backfill.start',
        jobId,
        entities: ['customer', 'product', 'order', 'invoice', 'creditmemo'],
      });
      const done = await waitForJob(jobId, 'succeeded');
      const total = 23 + 7 + 12 + 5 + 3;
      expect(done).toMatchObject({ total, published: total - 1, failed: 1 });
      // Resumed at orders page 2: nothing before the cursor was fetched again.
      expect(requests.slice(before)[0]).toEqual({ entity: 'order', page: 2 });
      expect(requests.slice(before).some((r) => r.entity === 'customer' || r.entity === 'product')).toBe(false);

      await h.waitFor(() => ofJob(jobId).length >= total - 1, 60_000, 'all pulled records');
      const landed = ofJob(jobId);
      expect(landed).toHaveLength(total - 1);
      const keys = landed.map((r) => {
        const parsed = parseEntityChangeEvent(JSON.parse(r.value));
        expect(parsed.ok && parsed.value.origin).toBe('backfill');
        return parsed.ok ? `${parsed.value.entity}:${parsed.value.entityId}` : 'invalid';
      });
      expect(new Set(keys).size).toBe(total - 1);
      // Dependencies first: every customer before any order, every order before any invoice.
      const firstIndex = (entity: string) => keys.findIndex((k) => k.startsWith(`${entity}:`));
      const lastIndex = (entity: string) =>
        keys.length - 1 - [...keys].reverse().findIndex((k) => k.startsWith(`${entity}:`));
      expect(lastIndex('customer')).toBeLessThan(firstIndex('order'));
      expect(lastIndex('order')).toBeLessThan(firstIndex('invoice'));
    });

    it("fills the store's time zone from Magento's store configuration, never over an admin's choice", async () => {
      // The pull above filled it: a NZ store's documents are dated on the NZ day.
      const settings = h.app.get(StoreSettingsRepository);
      expect((await settings.get(h.storeId)).mapping.timeZone).toBe(storeTimeZone);
      const current = await settings.get(h.storeId);
      await settings.save({ ...current, mapping: { ...current.mapping, timeZone: 'Australia/Sydney' } }, 'admin');
      const job = await jobs.create({ storeId: h.storeId, source: 'magento', entities: ['customer'] });
      await sendCommand({ type: 'backfill.start', jobId: job.jobId, entities: ['customer'] });
      await waitForJob(job.jobId, 'succeeded');
      expect((await settings.get(h.storeId)).mapping.timeZone).toBe('Australia/Sydney');
    });

    it('cancels a job on backfill.cancel', async () => {
      const job = await jobs.create({ storeId: h.storeId, source: 'magento', entities: ['customer'] });
      await sendCommand({ type: 'backfill.cancel', jobId: job.jobId });
      const cancelled = await waitForJob(job.jobId, 'cancelled');
      expect(cancelled.finishedAt).toBeInstanceOf(Date);
    });
  });
});
