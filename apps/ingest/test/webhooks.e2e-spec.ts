import { randomUUID } from 'node:crypto';
import { EVENT_HEADERS, parseEntityChangeEvent, topics } from '@xero-sync/contracts';
import { signStoreBody, STORE_SIGNATURE_HEADERS } from '@xero-sync/security';
import { IngestHarness, Published, samplePayloads, signedHeaders, startIngestHarness } from './ingest-harness';

describe('POST /v1/stores/:storeId/events (real Kafka, real FerretDB)', () => {
  let h: IngestHarness;
  let records: Published[];

  beforeAll(async () => {
    h = await startIngestHarness();
    records = await h.collect();
  });
  afterAll(async () => {
    await h?.stop();
  });

  async function post(body: string, headers: Record<string, string>, storeId = h.storeId) {
    const res = await fetch(`${h.url}/v1/stores/${storeId}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    });
    return { status: res.status, headers: res.headers, json: (await res.json().catch(() => null)) as any };
  }

  const signedPost = (value: unknown, extra: Record<string, string> = {}) => {
    const body = JSON.stringify(value);
    return post(body, { ...signedHeaders(h.secret, body), ...extra });
  };

  it('publishes a signed full envelope to its entity topic, keyed by store, with the headers and a valid envelope', async () => {
    const eventId = randomUUID();
    const envelope = {
      eventId,
      storeId: h.storeId,
      entity: 'order',
      entityId: '42',
      occurredAt: '2026-11-20T10:00:00Z',
      origin: 'webhook',
      schemaVersion: 1,
      payload: samplePayloads.order(42),
    };
    const res = await signedPost(envelope, { 'X-Correlation-Id': 'corr-e2e-1' });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ accepted: 1, eventIds: [eventId] });
    expect(res.headers.get('x-correlation-id')).toBe('corr-e2e-1');

    await h.waitFor(
      () => records.some((r) => r.headers[EVENT_HEADERS.eventId] === eventId),
      30_000,
      'the event on Kafka',
    );
    const record = records.find((r) => r.headers[EVENT_HEADERS.eventId] === eventId)!;
    expect(record.topic).toBe(topics.entityChanged('order', h.prefix));
    expect(record.key).toBe(h.storeId);
    const timestamp = record.headers[STORE_SIGNATURE_HEADERS.timestamp];
    expect(record.headers).toEqual({
      [EVENT_HEADERS.correlationId]: 'corr-e2e-1',
      [EVENT_HEADERS.eventId]: eventId,
      [EVENT_HEADERS.schemaVersion]: '1',
      // Signed with the store's secret over the record value, as a direct producer signs (the syncer checks it).
      [STORE_SIGNATURE_HEADERS.timestamp]: expect.stringMatching(/^\d{10}$/),
      [STORE_SIGNATURE_HEADERS.signature]: signStoreBody(h.secret, timestamp, record.value),
    });
    const parsed = parseEntityChangeEvent(JSON.parse(record.value));
    expect(parsed.ok).toBe(true);
    if (parsed.ok)
      expect(parsed.value).toMatchObject({
        eventId,
        storeId: h.storeId,
        entity: 'order',
        entityId: '42',
        origin: 'webhook',
      });
  });

  it('accepts a batch of mixed entities (bare {entity, payload} items get their envelope filled in)', async () => {
    const events = [
      { entity: 'customer', payload: samplePayloads.customer(7) },
      { entity: 'product', payload: samplePayloads.product(3) },
      { entity: 'invoice', payload: samplePayloads.invoice(5) },
      { entity: 'creditmemo', payload: samplePayloads.creditmemo(9) },
      { entity: 'order', payload: samplePayloads.order(8) },
    ];
    const res = await signedPost({ events });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(5);
    const ids: string[] = res.json.eventIds;
    await h.waitFor(
      () => ids.every((id) => records.some((r) => r.headers[EVENT_HEADERS.eventId] === id)),
      30_000,
      'the batch',
    );
    const byId = new Map(records.map((r) => [r.headers[EVENT_HEADERS.eventId], r]));
    const expected = [
      ['customer', '7'],
      ['product', 'SKU-3'],
      ['invoice', '5'],
      ['creditmemo', '9'],
      ['order', '8'],
    ];
    ids.forEach((id, i) => {
      const record = byId.get(id)!;
      const [entity, entityId] = expected[i];
      expect(record.topic).toBe(topics.entityChanged(entity as any, h.prefix));
      expect(record.key).toBe(h.storeId);
      const parsed = parseEntityChangeEvent(JSON.parse(record.value));
      expect(parsed.ok && parsed.value).toMatchObject({
        entity,
        entityId,
        storeId: h.storeId,
        origin: 'webhook',
        schemaVersion: 1,
      });
    });
  });

  describe('rejections publish nothing', () => {
    // Each case carries a unique marker in its payload; none of them may ever reach Kafka.
    const marker = () => `reject-${randomUUID()}`;
    const customerEvent = (email: string) => ({
      entity: 'customer',
      payload: { ...samplePayloads.customer(11), email },
    });

    async function expectNothingPublished(mark: string) {
      // A valid event sent afterwards lands on the same partition; once it is read, anything before it would be too.
      const probe = await signedPost({ entity: 'customer', payload: samplePayloads.customer(99) });
      expect(probe.status).toBe(202);
      await h.waitFor(
        () => records.some((r) => r.headers[EVENT_HEADERS.eventId] === probe.json.eventIds[0]),
        30_000,
        'the probe',
      );
      expect(records.filter((r) => r.value.includes(mark))).toEqual([]);
    }

    it('401 without signature headers', async () => {
      const m = marker();
      const res = await post(JSON.stringify(customerEvent(`${m}@example.com`)), {});
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ statusCode: 401, code: 'SIGNATURE_MISSING' });
      await expectNothingPublished(m);
    });

    it('401 with a wrong signature, or one made with another secret', async () => {
      const m = marker();
      const body = JSON.stringify(customerEvent(`${m}@example.com`));
      const forged = await post(body, signedHeaders('not-the-secret', body));
      expect(forged.status).toBe(401);
      expect(forged.json).toMatchObject({
        code: 'SIGNATURE_INVALID',
        message: 'signature does not match the body and timestamp',
      });
      const tampered = await post(body.replace('Ana', 'Eve'), signedHeaders(h.secret, body));
      expect(tampered.status).toBe(401);
      const malformed = await post(body, {
        'X-Store-Timestamp': String(Math.floor(Date.now() / 1000)),
        'X-Store-Signature': 'md5=abc',
      });
      expect(malformed.status).toBe(401);
      await expectNothingPublished(m);
    });

    it('401 with a stale timestamp (outside the 5 minute window)', async () => {
      const m = marker();
      const body = JSON.stringify(customerEvent(`${m}@example.com`));
      const res = await post(body, signedHeaders(h.secret, body, Math.floor(Date.now() / 1000) - 301));
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ code: 'SIGNATURE_STALE' });
      await expectNothingPublished(m);
    });

    it('404 for an unknown store', async () => {
      const m = marker();
      const body = JSON.stringify(customerEvent(`${m}@example.com`));
      const res = await post(body, signedHeaders(h.secret, body), 'no-such-store');
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ statusCode: 404, code: 'STORE_NOT_FOUND' });
      await expectNothingPublished(m);
    });

    it('413 over 5 MiB', async () => {
      const m = marker();
      const body = JSON.stringify({ ...customerEvent(`${m}@example.com`), padding: 'x'.repeat(5 * 1024 * 1024) });
      const res = await post(body, signedHeaders(h.secret, body));
      expect(res.status).toBe(413);
      expect(res.json).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
      await expectNothingPublished(m);
    });

    it('415 for a non-JSON content type', async () => {
      const m = marker();
      const body = JSON.stringify(customerEvent(`${m}@example.com`));
      const res = await fetch(`${h.url}/v1/stores/${h.storeId}/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', ...signedHeaders(h.secret, body) },
        body,
      });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      // A rejection carries a correlation id too (made up when the store sent none), to find it in ingest's log.
      expect(res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
      await expectNothingPublished(m);
    });

    it('422 naming every failing field, and the whole batch is refused', async () => {
      const m = marker();
      const events = [
        customerEvent(`${m}@example.com`),
        { entity: 'order', payload: { ...samplePayloads.order(1), grand_total: 'lots', items: [{ item_id: 1 }] } },
        { entity: 'customer', storeId: 'other-store', payload: samplePayloads.customer(2) },
        { entity: 'shipment', payload: {} },
      ];
      const res = await signedPost({ events });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', code: 'VALIDATION' });
      const paths = res.json.errors.map((e: { path: string }) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining([
          'events.1.payload.grand_total',
          'events.1.payload.items.0.sku',
          'events.2.storeId',
          'events.3.entity',
        ]),
      );
      for (const e of res.json.errors) expect(typeof e.message).toBe('string');
      await expectNothingPublished(m);
    });

    it('400 for a body that is not JSON', async () => {
      const body = '{"entity": "customer", ';
      const res = await post(body, signedHeaders(h.secret, body));
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: 'MALFORMED_JSON', errors: [{ path: '(root)' }] });
    });
  });

  it('a rotated secret takes effect within seconds; the replaced one is accepted through its grace only', async () => {
    const body = JSON.stringify({ entity: 'customer', payload: samplePayloads.customer(12) });
    // With a grace (the store is reconfigured meanwhile): the new secret works within seconds, the old one still.
    const graced = (await h.stores.rotateSecret(h.storeId, 60 * 60_000))!;
    await h.waitFor(
      async () => (await post(body, signedHeaders(graced.webhookSecret, body))).status === 202,
      10_000,
      'the new secret',
    );
    expect((await post(body, signedHeaders(h.secret, body))).status).toBe(202);
    // Rotated again without a grace (the secret leaked): the secret just replaced is refused within seconds, and
    // the one before it (replaced twice) at once.
    const revoked = (await h.stores.rotateSecret(h.storeId, 0))!;
    await h.waitFor(
      async () => (await post(body, signedHeaders(graced.webhookSecret, body))).status === 401,
      10_000,
      'the revoked secret refused',
    );
    const refused = await post(body, signedHeaders(h.secret, body));
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect((await post(body, signedHeaders(revoked.webhookSecret, body))).status).toBe(202);
    h.secret = revoked.webhookSecret;
  });
});
