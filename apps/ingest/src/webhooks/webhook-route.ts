import type { IncomingMessage, ServerResponse } from 'node:http';
import getRawBody from 'raw-body';
import { correlationIdOf, recordHttpRequest, secondsSince } from '@xero-sync/observability';
import { errorAnswer, logRejection } from '../ingest-errors.filter';
import { IngestError } from '../ingest.errors';
import { MAX_EVENTS_BODY_BYTES } from './dto/incoming-event.dto';
import type { StoreRateLimiter } from '../stores/store-rate.limiter';
import type { ReceiveWebhookUseCase } from './receive-webhook.usecase';

/** JSON and `+json` media types (what a webhook body must be). */
export const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** `POST /v1/stores/<storeId>/events`, as Fastify would route it: optional trailing slash, any query string. */
const EVENTS_PATH = /^\/v1\/stores\/([^/?#]+)\/events\/?(?:\?.*)?$/;
/** The route's template, as Fastify's routes name theirs in the request-duration metric. */
const WEBHOOK_ROUTE = '/v1/stores/:storeId/events';

const TOO_LARGE = `body exceeds the limit of ${MAX_EVENTS_BODY_BYTES} bytes; split the batch`;

/**
 * The webhook route, served straight from Node's HTTP server ahead of Fastify and Nest (ingest-http.ts hands it every
 * request first). It is ingest's hot path and CPU-bound: without the framework's routing, hooks, body-parser
 * resource and Nest's guard/interceptor pipeline a webhook costs about half the CPU (docs/ingest.md). What it
 * does is what the rest of ingest does for its routes, in the same order and with the same answers:
 * X-Correlation-Id on every answer; 415 for a wrong Content-Type before the body is read; 413 over 5 MiB (the
 * connection is closed); the store and signature headers before the body is read (404, 401: ReceiveWebhookUseCase.admit);
 * then ReceiveWebhookUseCase (404, 401, 400, 422, 503) and 202 with the accepted event ids.
 * Errors are answered by ingest-errors.filter.ts's errorAnswer, like every other route's.
 */
export class WebhookRoute {
  private receiver: ReceiveWebhookUseCase | undefined;
  private limiter: StoreRateLimiter | undefined;
  private closing = false;

  /**
   * Starts serving webhooks with the app's use case (once the Nest app exists, before it listens) and, when
   * given, the per-store rate limit (429 before the body is read).
   */
  attach(receiver: ReceiveWebhookUseCase, limiter?: StoreRateLimiter): void {
    this.receiver = receiver;
    this.limiter = limiter;
  }

  /** From now on webhooks get 503 + Retry-After: the app is shutting down and its producer may be gone. */
  close(): void {
    this.closing = true;
  }

  /** Serves the request if it is a webhook; false leaves it to Fastify. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || this.receiver === undefined) return false;
    const match = EVENTS_PATH.exec(req.url ?? '');
    if (match === null) return false;
    void this.handle(this.receiver, match[1], req, res);
    return true;
  }

  private async handle(
    receiver: ReceiveWebhookUseCase,
    encodedStoreId: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const startedAt = process.hrtime.bigint();
    const correlationId = correlationIdOf(req.headers);
    res.setHeader('X-Correlation-Id', correlationId);
    let status = 202;
    try {
      if (this.closing) throw new IngestError('SHUTTING_DOWN', 'ingest is shutting down; nothing was accepted, retry');
      await this.limiter?.check(decodeSegment(encodedStoreId));
      const contentType = req.headers['content-type'] ?? '';
      if (!JSON_TYPE.test(contentType)) {
        throw new IngestError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type must be application/json, got "${contentType || 'none'}"`,
        );
      }
      const storeId = decodeSegment(encodedStoreId);
      // Store and signature headers first: a request that cannot be authenticated is not worth buffering.
      await receiver.admit(storeId, req.headers);
      const body = await readBody(req, MAX_EVENTS_BODY_BYTES);
      const accepted = await receiver.execute({
        storeId,
        headers: req.headers,
        body,
        correlationId,
      });
      writeJson(res, status, accepted);
    } catch (err) {
      if (err instanceof RequestAborted) return; // the client is gone: nobody to answer
      const answer = errorAnswer(err);
      logRejection(req.method, req.url, answer);
      for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
      // Refused before its body was read: closing stops the client sending a body nobody reads.
      if (!req.complete) res.setHeader('Connection', 'close');
      status = answer.status;
      writeJson(res, status, answer.body);
    }
    recordHttpRequest('ingest', WEBHOOK_ROUTE, status, secondsSince(startedAt));
  }
}

/** The client went away before its body was complete. */
class RequestAborted extends Error {}

/** A path segment as a route parameter (percent-decoded; left as it is when it does not decode). */
function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The whole body, up to `limit` bytes (raw-body): over it, announced by Content-Length or found while reading, is a
 * PAYLOAD_TOO_LARGE and reading stops. A request that ends early or aborts is a RequestAborted (nobody left to answer).
 */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  try {
    return await getRawBody(req, { length: req.headers['content-length'], limit });
  } catch (err) {
    if ((err as getRawBody.RawBodyError).type === 'entity.too.large')
      throw new IngestError('PAYLOAD_TOO_LARGE', TOO_LARGE);
    throw new RequestAborted();
  }
}

function writeJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const json = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}
