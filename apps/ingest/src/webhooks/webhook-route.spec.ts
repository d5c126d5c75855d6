import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestsRecorded } from '@xero-sync/testing';
import { IngestError } from '../ingest.errors';
import { MAX_EVENTS_BODY_BYTES } from './dto/incoming-event.dto';
import type { IncomingWebhook, ReceiveWebhookUseCase } from './receive-webhook.usecase';
import { WebhookRoute } from './webhook-route';

/**
 * The webhook route's own HTTP handling on a real Node server (the use case behind it is replaced by a recorder:
 * signatures, validation and Kafka are covered by test/webhooks*.e2e-spec.ts against the real broker).
 */
describe('WebhookRoute', () => {
  let server: Server;
  let port: number;
  let route: WebhookRoute;
  let received: IncomingWebhook[];
  let fellThrough: string[];
  let answer: (w: IncomingWebhook) => Promise<{ accepted: number; eventIds: string[] }>;
  let admit: (storeId: string) => Promise<void>;

  beforeEach(async () => {
    route = new WebhookRoute();
    received = [];
    fellThrough = [];
    answer = (w) => Promise.resolve({ accepted: 1, eventIds: [`e-${w.storeId}`] });
    admit = () => Promise.resolve();
    const receiver = {
      admit: (storeId: string) => admit(storeId),
      execute: (w: IncomingWebhook) => (received.push(w), answer(w)),
    };
    route.attach(receiver as unknown as ReceiveWebhookUseCase);
    server = createServer((req, res) => {
      if (route.serve(req, res)) return;
      fellThrough.push(`${req.method} ${req.url}`);
      res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** Sends a request; `chunks` go out one by one with chunked transfer encoding unless a Content-Length is given. */
  function send(path: string, chunks: Buffer[], headers: Record<string, string> = {}, method = 'POST') {
    return new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path,
        method,
        headers: { 'content-type': 'application/json', ...headers },
      });
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString();
          resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined });
        });
      });
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });
  }

  it('hands the exact body, the decoded store id and the correlation id to the use case and answers 202', async () => {
    const body = Buffer.from('{"entity":"customer"}');
    const res = await send('/v1/stores/shop%2Done/events', [body], { 'x-correlation-id': 'corr-1' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, eventIds: ['e-shop-one'] });
    expect(res.headers['x-correlation-id']).toBe('corr-1');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ storeId: 'shop-one', correlationId: 'corr-1' });
    expect(received[0].body.equals(body)).toBe(true);
  });

  it('refuses a request the use case does not admit before reading its body, and closes the connection', async () => {
    admit = () => Promise.reject(new IngestError('SIGNATURE_MISSING', 'X-Store-Timestamp and X-Store-Signature'));
    const sent = { bytes: 0 };
    const res = await new Promise<{ status: number; connection: unknown; body: any }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/v1/stores/s1/events', method: 'POST' });
      req.setHeader('content-type', 'application/json');
      req.on('response', (r) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => {
          req.destroy();
          resolve({
            status: r.statusCode!,
            connection: r.headers.connection,
            body: JSON.parse(String(Buffer.concat(parts))),
          });
        });
      });
      req.on('error', reject);
      // One chunk and then nothing: the answer must not wait for a body that never ends.
      req.write(Buffer.alloc(1024, 0x20), () => (sent.bytes += 1024));
    });
    expect(res).toMatchObject({ status: 401, connection: 'close', body: { code: 'SIGNATURE_MISSING' } });
    expect(sent.bytes).toBeLessThanOrEqual(1024);
    expect(received).toHaveLength(0);
  });

  it('takes a trailing slash and a query string like Fastify does, and leaves every other request alone', async () => {
    expect((await send('/v1/stores/s1/events/', [Buffer.from('{}')])).status).toBe(202);
    expect((await send('/v1/stores/s1/events?x=1', [Buffer.from('{}')])).status).toBe(202);
    expect(received.map((w) => w.storeId)).toEqual(['s1', 's1']);
    await send('/v1/stores/s1/events', [], {}, 'GET');
    await send('/v1/stores/s1/backfill', [Buffer.from('{}')]);
    await send('/v1/stores//events', [Buffer.from('{}')]);
    expect(fellThrough).toEqual(['GET /v1/stores/s1/events', 'POST /v1/stores/s1/backfill', 'POST /v1/stores//events']);
    expect(received).toHaveLength(2);
  });

  it('415 for a non-JSON Content-Type, with a correlation id, before the use case sees anything', async () => {
    const wrong = await send('/v1/stores/s1/events', [Buffer.from('{}')], { 'content-type': 'text/plain' });
    expect(wrong.status).toBe(415);
    expect(wrong.body).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(wrong.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(received).toHaveLength(0);
  });

  it('records each answer in the request-duration metric under the route template and its status', async () => {
    const count = (status: number) => requestsRecorded('ingest', '/v1/stores/:storeId/events', status);
    const [accepted, refused] = [await count(202), await count(415)];
    await send('/v1/stores/shop-a/events', [Buffer.from('{}')]);
    await send('/v1/stores/shop-b/events', [Buffer.from('{}')]);
    await send('/v1/stores/shop-a/events', [Buffer.from('{}')], { 'content-type': 'text/plain' });
    expect(await count(202)).toBe(accepted + 2);
    expect(await count(415)).toBe(refused + 1);
  });

  it('413 and a closed connection over 5 MiB, whether announced by Content-Length or sent chunked', async () => {
    // The answer comes while the client is still sending: it reads the 413, or sees the connection go.
    const refused = (r: Promise<{ status: number; headers: Record<string, unknown> }>) =>
      r.catch((err: NodeJS.ErrnoException) => ({ status: err.code, headers: { connection: 'close' } }));
    const big = Buffer.alloc(MAX_EVENTS_BODY_BYTES + 1, 0x20);
    const announced = await refused(send('/v1/stores/s1/events', [big], { 'content-length': String(big.length) }));
    expect([413, 'ECONNRESET', 'EPIPE']).toContain(announced.status);
    expect(announced.headers.connection).toBe('close');
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const chunked = await refused(send('/v1/stores/s1/events', [chunk, chunk, chunk, chunk, chunk, chunk]));
    expect([413, 'ECONNRESET', 'EPIPE']).toContain(chunked.status);
    expect(chunked.headers.connection).toBe('close');
    expect(received).toHaveLength(0);
    expect((await send('/v1/stores/s1/events', [Buffer.from('{}')])).status).toBe(202);
  });

  it("answers the use case's refusal with its status and fields, and 503 + Retry-After when Kafka is away", async () => {
    answer = () =>
      Promise.reject(new IngestError('VALIDATION', '1 field error(s)', [{ path: 'entity', message: 'bad' }]));
    const invalid = await send('/v1/stores/s1/events', [Buffer.from('{}')]);
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      code: 'VALIDATION',
      message: '1 field error(s)',
      errors: [{ path: 'entity', message: 'bad' }],
    });
    answer = () => Promise.reject(new IngestError('BROKER_UNAVAILABLE', 'Kafka is unavailable'));
    const away = await send('/v1/stores/s1/events', [Buffer.from('{}')]);
    expect(away.status).toBe(503);
    expect(away.headers['retry-after']).toBe('5');
  });

  it('a client that aborts mid-body reaches nothing, and the server goes on serving', async () => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/v1/stores/s1/events',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '1000' },
    });
    req.on('error', () => undefined);
    req.write('{"entity":');
    await new Promise((r) => setTimeout(r, 50));
    req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toHaveLength(0);
    expect((await send('/v1/stores/s1/events', [Buffer.from('{}')])).status).toBe(202);
  });

  it('once closing, answers 503 with Retry-After and hands nothing on', async () => {
    route.close();
    const res = await send('/v1/stores/s1/events', [Buffer.from('{}')]);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(res.headers['retry-after']).toBe('5');
    expect(received).toHaveLength(0);
  });
});
