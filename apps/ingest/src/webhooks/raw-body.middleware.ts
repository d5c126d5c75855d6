import type { NextFunction, Request, Response } from 'express';
import { IngestError } from '../ingest.errors';
import { sendIngestError } from '../ingest-errors.filter';

/** Largest webhook body accepted (one event or a batch): 5 MiB. Documented in docs/contracts/README.md. */
export const MAX_EVENTS_BODY_BYTES = 5 * 1024 * 1024;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const NDJSON_TYPE = /^application\/(?:x-ndjson|ndjson|jsonl|x-jsonlines)\s*(?:;|$)/i;

/** The request as ingest sees it: the exact bytes the store signed. */
export type RawBodyRequest = Request & { rawBody?: Buffer };

function contentTypeOf(req: Request): string {
  return req.headers['content-type'] ?? '';
}

/**
 * Reads a webhook body as raw bytes (the signature covers the exact bytes, so JSON must not be parsed and
 * re-serialised before the check). Runs before Nest's JSON parser, which then sees a finished request and
 * skips it. Refuses a non-JSON content type (415) and a body over `limit` (413) without buffering it.
 */
export function rawJsonBody(limit = MAX_EVENTS_BODY_BYTES) {
  return (req: RawBodyRequest, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST') return next();
    if (!JSON_TYPE.test(contentTypeOf(req))) {
      return sendIngestError(
        res,
        new IngestError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type must be application/json, got "${contentTypeOf(req) || 'none'}"`,
        ),
      );
    }
    const tooLarge = () =>
      sendIngestError(
        res,
        new IngestError('PAYLOAD_TOO_LARGE', `body exceeds the limit of ${limit} bytes; split the batch`),
      );
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      req.rawBody = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      next();
    });
    // A client that disconnects mid-body gets no answer; there is nobody to send it to.
    req.on('error', () => undefined);
  };
}

/**
 * Leaves a backfill body unread for the controller to stream (it can be gigabytes), after refusing a content
 * type other than NDJSON (415) before Nest's JSON parser could try to buffer it.
 */
export function streamedNdjsonBody() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'POST') return next();
    if (!NDJSON_TYPE.test(contentTypeOf(req))) {
      return sendIngestError(
        res,
        new IngestError(
          'UNSUPPORTED_MEDIA_TYPE',
          `Content-Type must be application/x-ndjson, got "${contentTypeOf(req) || 'none'}"`,
        ),
      );
    }
    next();
  };
}
