import type { Server } from 'node:http';
import { IngestHttpAdapter } from './ingest-http';

/**
 * The ingest server is built by our serverFactory (so webhooks can skip Fastify), and Fastify then leaves its
 * timeouts to the factory. Node's own would close a store's idle keep-alive connection after 5 s and cut every
 * request, a long backfill upload too, at 5 minutes.
 */
describe('IngestHttpAdapter', () => {
  let adapter: IngestHttpAdapter;
  afterEach(() => adapter.close());

  it("gives the server Fastify's timeouts, not Node's defaults", () => {
    adapter = new IngestHttpAdapter();
    const server = adapter.getHttpServer<Server>();
    expect(server.keepAliveTimeout).toBe(72_000);
    expect(server.requestTimeout).toBe(0);
    expect(server.timeout).toBe(0);
  });
});
