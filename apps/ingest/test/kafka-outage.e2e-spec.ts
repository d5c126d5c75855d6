import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { EVENT_HEADERS } from '@xero-sync/contracts';
import { IngestHarness, Published, samplePayloads, signedHeaders, startIngestHarness } from './ingest-harness';

// setsid: the restarted broker must not join this test's process group, or a signal to the group (a `timeout`
// wrapper, Ctrl-C) would take the shared broker down with the test.
const infra = (cmd: 'stop-kafka' | 'start-kafka') =>
  execFileSync('setsid', ['-w', 'bash', join(__dirname, '../../../scripts/infra.sh'), cmd], {
    stdio: 'inherit',
    timeout: 120_000,
  });

describe('ingest while Kafka is down (real broker stopped and restarted)', () => {
  let h: IngestHarness;
  let records: Published[];

  beforeAll(async () => {
    h = await startIngestHarness();
    records = await h.collect();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const send = async (id: number) => {
    const body = JSON.stringify({ entity: 'customer', payload: samplePayloads.customer(id) });
    const res = await fetch(`${h.url}/v1/stores/${h.storeId}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signedHeaders(h.secret, body) },
      body,
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as any };
  };

  it('answers 503 + Retry-After (acknowledging nothing) while Kafka is down, and 202 again once it is back', async () => {
    expect((await send(1)).status).toBe(202);
    const during: Awaited<ReturnType<typeof send>>[] = [];
    try {
      infra('stop-kafka');
      during.push(...(await Promise.all([send(2), send(3), send(4)])));
    } finally {
      infra('start-kafka');
    }
    for (const res of during) {
      expect(res.status).toBe(503);
      expect(Number(res.retryAfter)).toBeGreaterThan(0);
      expect(res.json).toMatchObject({ statusCode: 503, code: 'BROKER_UNAVAILABLE' });
      expect(res.json.eventIds).toBeUndefined();
    }

    // The store retries as told; once the broker is back the same kind of request is acknowledged and lands.
    let after = await send(5);
    const until = Date.now() + 90_000;
    while (after.status !== 202 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 1000));
      after = await send(5);
    }
    expect(after.status).toBe(202);
    const eventId = after.json.eventIds[0];
    await h.waitFor(
      () => records.some((r) => r.headers[EVENT_HEADERS.eventId] === eventId),
      60_000,
      'the event after recovery',
    );
  });
});
