import { IngestHarness, samplePayloads, signedHeaders, startIngestHarness } from './ingest-harness';

jest.setTimeout(60_000);

/** Per-store request limits on ingest (@nestjs/throttler storage): webhooks and backfill routes share a store's budget. */
describe('ingest per-store rate limit (real Kafka, real FerretDB)', () => {
  let h: IngestHarness;
  let otherStore: string;
  let otherSecret: string;

  beforeAll(async () => {
    h = await startIngestHarness({ INGEST_STORE_RATE_LIMIT: '3', INGEST_STORE_RATE_WINDOW_MS: '60000' });
    otherStore = `${h.storeId}-b`;
    otherSecret = (await h.stores.create({ storeId: otherStore, name: 'Other store' })).webhookSecret;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const webhook = (storeId: string, secret: string) => {
    const body = JSON.stringify({ events: [{ entity: 'customer', payload: samplePayloads.customer(7) }] });
    return fetch(`${h.url}/v1/stores/${storeId}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signedHeaders(secret, body) },
      body,
    });
  };

  it('answers a store’s 4th request in the window 429 with Retry-After; another store is unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await webhook(h.storeId, h.secret)).status).toBe(202);
    const limited = await webhook(h.storeId, h.secret);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { code: string }).code).toBe('RATE_LIMITED');
    // The backfill routes count against the same store budget.
    const upload = await fetch(`${h.url}/v1/stores/${h.storeId}/backfill`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson' },
      body: '',
    });
    expect(upload.status).toBe(429);
    expect((await webhook(otherStore, otherSecret)).status).toBe(202);
  });
});
