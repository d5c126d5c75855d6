import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { correlationIdOf, recordHttpRequest, UNMATCHED_ROUTE } from '@xero-sync/observability';
import { IngestError } from './ingest.errors';
import { StoreRateLimiter } from './stores/store-rate.limiter';
import { MAX_EVENTS_BODY_BYTES } from './webhooks/dto/incoming-event.dto';
import { ReceiveWebhookUseCase } from './webhooks/receive-webhook.usecase';
import { JSON_TYPE, WebhookRoute } from './webhooks/webhook-route';

const NDJSON_TYPE = /^application\/(?:x-ndjson|ndjson|jsonl|x-jsonlines)\s*(?:;|$)/i;

/** The body type each upload route takes; anything else is refused with 415 before a byte of it is read. */
const BODY_TYPES: Record<string, { type: RegExp; name: string }> = {
  '/v1/stores/:storeId/backfill': { type: NDJSON_TYPE, name: 'application/x-ndjson' },
};

/**
 * Ingest serves HTTP with Fastify (Nest's FastifyAdapter) rather than Express: it costs about a quarter less CPU per
 * request (docs/ingest.md). Webhooks, the hot path, do not even reach Fastify: the server hands each request to
 * the WebhookRoute first (webhooks/webhook-route.ts), and only what that does not serve goes on to Fastify and
 * Nest. The request id is the caller's X-Correlation-Id (or a new one): access logs and published events carry it.
 */
export class IngestHttpAdapter extends FastifyAdapter {
  constructor(readonly webhooks = new WebhookRoute()) {
    super({
      bodyLimit: MAX_EVENTS_BODY_BYTES,
      routerOptions: { ignoreTrailingSlash: true },
      genReqId: (req: IncomingMessage) => correlationIdOf(req.headers),
      serverFactory: (fastify: (req: IncomingMessage, res: ServerResponse) => void, options: ServerTimeouts) =>
        withFastifyTimeouts(
          createServer((req, res) => {
            if (!webhooks.serve(req, res)) fastify(req, res);
          }),
          options,
        ),
    });
  }
}

/** The server timeouts Fastify resolves (with its defaults) and hands to a serverFactory. */
type ServerTimeouts = Pick<FastifyServerOptions, 'keepAliveTimeout' | 'requestTimeout' | 'connectionTimeout'>;

/**
 * Fastify applies its timeouts only to a server it creates itself, so a factory's server would keep Node's: idle
 * keep-alive connections closed after 5 s (a store's next webhook on a reused connection then races the close
 * and fails with a reset) and every request cut at 5 minutes (a multi-gigabyte backfill upload takes longer).
 * The factory's server gets Fastify's instead: keep-alive 72 s, no request or socket timeout by default.
 */
function withFastifyTimeouts(server: Server, options: ServerTimeouts): Server {
  server.keepAliveTimeout = options.keepAliveTimeout ?? server.keepAliveTimeout;
  server.requestTimeout = options.requestTimeout ?? server.requestTimeout;
  server.setTimeout(options.connectionTimeout ?? 0);
  return server;
}

export function ingestHttpAdapter(): IngestHttpAdapter {
  return new IngestHttpAdapter();
}

/**
 * Installed on the app before it listens (it is created with `bodyParser: false`): starts the webhook route with
 * the app's use case and stops it at shutdown. On Fastify's routes every answer carries the request's
 * X-Correlation-Id and its duration is recorded by route (xero_sync_http_request_duration_seconds). Bodies:
 * - a POST to an upload route with the wrong Content-Type is refused (415) before its body is read;
 * - JSON bodies are kept as raw bytes, never parsed before the signature check, up to 5 MiB (413);
 * - NDJSON bodies (backfills, any size) are left unread for the controller to stream from `req.raw`.
 * Errors raised here reach IngestErrorsFilter like any other (Nest installs it as Fastify's error handler).
 */
export function configureIngestHttp(app: NestFastifyApplication): void {
  const adapter = app.getHttpAdapter() as IngestHttpAdapter;
  adapter.webhooks.attach(app.get(ReceiveWebhookUseCase), app.get(StoreRateLimiter));
  const fastify = adapter.getInstance();
  // Fastify answers 503 to requests that arrive while it closes; the webhook route does the same.
  fastify.addHook('preClose', (done) => {
    adapter.webhooks.close();
    done();
  });
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Correlation-Id', req.id);
    done();
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    recordHttpRequest('ingest', req.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  fastify.removeAllContentTypeParsers();
  // The adapter's bodyLimit (5 MiB) applies to this parser too.
  fastify.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  fastify.addContentTypeParser('*', (_req, _payload, done) => done(null));
  fastify.addHook('preParsing', async (req, _reply, payload) => {
    const expected = req.method === 'POST' ? BODY_TYPES[req.routeOptions.url ?? ''] : undefined;
    const contentType = req.headers['content-type'] ?? '';
    if (expected && !expected.type.test(contentType)) {
      throw new IngestError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type must be ${expected.name}, got "${contentType || 'none'}"`,
      );
    }
    return payload;
  });
}
