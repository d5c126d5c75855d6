import { EventPublisher } from '@xero-sync/messaging';
import { IngestHttpAdapter } from '../src/ingest-http';
import { samplePayloads, signedHeaders, startIngestHarness } from './ingest-harness';

/**
 * Shutting ingest down (SIGTERM → app.close()) must stop the webhook route, which Fastify never sees, before the
 * Kafka producer goes: from then on webhooks get 503 + Retry-After (webhook-route.spec.ts) instead of reaching a
 * producer that is disconnecting.
 */
describe('ingest shutdown (real Kafka, real FerretDB)', () => {
  it("closes the webhook route from Fastify's preClose, before the producer disconnects", async () => {
    const h = await startIngestHarness();
    const route = (h.app.getHttpAdapter() as IngestHttpAdapter).webhooks;
    const closeRoute = jest.spyOn(route, 'close');
    const disconnect = jest.spyOn(h.app.get(EventPublisher), 'disconnect');

    const body = JSON.stringify({ entity: 'order', payload: samplePayloads.order(1) });
    const res = await fetch(`${h.url}/v1/stores/${h.storeId}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...signedHeaders(h.secret, body) },
      body,
    });
    expect(res.status).toBe(202);
    expect(closeRoute).not.toHaveBeenCalled();

    await h.stop(); // app.close(), as SIGTERM does
    expect(closeRoute).toHaveBeenCalledTimes(1);
    expect(disconnect).toHaveBeenCalled();
    expect(closeRoute.mock.invocationCallOrder[0]).toBeLessThan(disconnect.mock.invocationCallOrder[0]);
  });
});
