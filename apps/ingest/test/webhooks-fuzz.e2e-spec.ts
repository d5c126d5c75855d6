import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { IngestHarness, samplePayloads, signedHeaders, startIngestHarness } from './ingest-harness';

/**
 * Property: whatever arrives — random or mutated bodies, headers, content types, store ids — ingest answers
 * with a 4xx (or 202 when the mutation happens to still be a valid event), never a 5xx, and keeps serving.
 */
describe('webhook fuzzing (real app, real Kafka)', () => {
  let h: IngestHarness;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    h = await startIngestHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function post(
    body: string | Uint8Array,
    headers: Record<string, string>,
    storeId = h.storeId,
  ): Promise<number> {
    const res = await fetch(`${h.url}/v1/stores/${encodeURIComponent(storeId)}/events`, {
      method: 'POST',
      headers,
      body,
    });
    await res.arrayBuffer();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    return res.status;
  }
  const json = { 'Content-Type': 'application/json' };
  const acceptable = (status: number) => status === 202 || (status >= 400 && status < 500);

  const validEvent = () => ({
    eventId: randomUUID(),
    storeId: h.storeId,
    entity: 'order',
    entityId: '42',
    occurredAt: '2026-11-20T10:00:00Z',
    origin: 'webhook',
    schemaVersion: 1,
    payload: samplePayloads.order(42),
  });

  it('signed random JSON values and raw bytes get 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
          fc.string({ unit: 'binary' }),
          fc.uint8Array({ maxLength: 300 }),
        ),
        async (body) => {
          const raw = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
          const status = await post(raw, { ...json, ...signedHeaders(h.secret, raw) });
          expect(acceptable(status)).toBe(true);
        },
      ),
      { numRuns: 800 },
    );
  });

  it('signed valid envelopes with one field replaced by anything get 202 or 4xx', async () => {
    const fields = ['eventId', 'storeId', 'entity', 'entityId', 'occurredAt', 'origin', 'schemaVersion', 'payload'];
    const payloadFields = Object.keys(samplePayloads.order(1));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...fields,
          ...payloadFields.map((f) => `payload.${f}`),
          'payload.items.0.sku',
          'payload.items.0.qty_ordered',
        ),
        fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.string(), fc.double(), fc.constant('x'.repeat(10_000))),
        fc.boolean(),
        async (path, value, batch) => {
          const event: any = validEvent();
          const parts = path.split('.');
          let target = event;
          for (const p of parts.slice(0, -1)) target = target[p];
          target[parts[parts.length - 1]] = value;
          const body = JSON.stringify(batch ? { events: [validEvent(), event] } : event);
          const status = await post(body, { ...json, ...signedHeaders(h.secret, body) });
          expect(acceptable(status)).toBe(true);
        },
      ),
      { numRuns: 1200 },
    );
  });

  it('random signature headers, content types and store ids get 4xx', async () => {
    const body = JSON.stringify(validEvent());
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.oneof(fc.string(), fc.integer().map(String), fc.constant(String(Math.floor(Date.now() / 1000))))),
        fc.option(
          fc.oneof(
            fc.string(),
            fc
              .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 })
              .map((x) => `sha256=${x}`),
          ),
        ),
        fc.oneof(
          fc.constant('application/json'),
          fc.string({ maxLength: 40 }),
          fc.constant('application/merge-patch+json; charset=utf-8'),
        ),
        fc.oneof(fc.constant(''), fc.string({ minLength: 1, maxLength: 80 })),
        async (timestamp, signature, contentType, storeSuffix) => {
          const headers: Record<string, string> = {};
          // Header values must be valid HTTP tokens for fetch to send them; others are a client-side error, not ours.
          const safe = (s: string) => s.replace(/[^\x20-\x7e]/g, '');
          if (timestamp !== null) headers['X-Store-Timestamp'] = safe(timestamp);
          if (signature !== null) headers['X-Store-Signature'] = safe(signature);
          headers['Content-Type'] = safe(contentType) || 'text/plain';
          const status = await post(body, headers, storeSuffix ? `${h.storeId}${storeSuffix}` : h.storeId);
          expect(status).toBeGreaterThanOrEqual(400);
          expect(status).toBeLessThan(500);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('deeply nested and huge-array bodies get 4xx, and the app still serves a valid event afterwards', async () => {
    for (const body of [
      '['.repeat(200_000),
      `{"entity":"order","payload":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
      JSON.stringify({ events: new Array(5000).fill({}) }),
    ]) {
      const status = await post(body, { ...json, ...signedHeaders(h.secret, body) });
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    const body = JSON.stringify(validEvent());
    expect(await post(body, { ...json, ...signedHeaders(h.secret, body) })).toBe(202);
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
  });
});
