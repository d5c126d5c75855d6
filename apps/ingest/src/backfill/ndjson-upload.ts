import { safeEqual, signUpload } from '@xero-sync/security';
import { IngestError } from '../ingest.errors';
import type { SignatureHeaders } from '../webhooks/store-signature.guard';
import { MAX_BACKFILL_BYTES } from './ndjson-spool';

/** Hex SHA-256 of the whole upload body, signed with the timestamp and length. */
export const CONTENT_SHA256_HEADER = 'x-content-sha256';
/** Length of the whole upload body in bytes, signed with the timestamp and digest. */
export const CONTENT_LENGTH_HEADER = 'x-content-length';

/** What an NDJSON upload declares about its body; the body is held to both while it streams. */
export interface DeclaredUpload {
  sha256Hex: string;
  length: number;
}

function invalidHeader(header: string, message: string, code: 'UPLOAD_HEADER_INVALID' | 'PAYLOAD_TOO_LARGE') {
  return new IngestError(code, `${header}: ${message}`, [{ path: `header:${header}`, message }]);
}

/**
 * Reads X-Content-SHA256 and X-Content-Length and checks them against each other and Content-Length, all before a
 * byte of the body is read.
 * @throws IngestError UPLOAD_HEADER_INVALID (400) | PAYLOAD_TOO_LARGE (413, over 8 GiB)
 */
export function readDeclaredUpload(headers: Record<string, string | string[] | undefined>): DeclaredUpload {
  const sha = headers[CONTENT_SHA256_HEADER];
  const len = headers[CONTENT_LENGTH_HEADER];
  if (typeof sha !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha))
    throw invalidHeader('X-Content-SHA256', 'required: the hex SHA-256 of the whole body', 'UPLOAD_HEADER_INVALID');
  if (typeof len !== 'string' || !/^\d{1,15}$/.test(len))
    throw invalidHeader('X-Content-Length', 'required: the body length in bytes', 'UPLOAD_HEADER_INVALID');
  const length = Number(len);
  if (length > MAX_BACKFILL_BYTES)
    throw invalidHeader(
      'X-Content-Length',
      `over the limit of ${MAX_BACKFILL_BYTES} bytes; split the file`,
      'PAYLOAD_TOO_LARGE',
    );
  const contentLength = headers['content-length'];
  if (typeof contentLength === 'string' && Number(contentLength) !== length)
    throw invalidHeader(
      'X-Content-Length',
      `${length} differs from Content-Length ${contentLength}`,
      'UPLOAD_HEADER_INVALID',
    );
  return { sha256Hex: sha.toLowerCase(), length };
}

/**
 * The upload's signature covers `<timestamp>.<sha256>.<length>`, signed with one of the store's accepted secrets,
 * compared in constant time.
 * @throws IngestError SIGNATURE_INVALID (401)
 */
export function assertUploadSignature(accepted: string[], signature: SignatureHeaders, declared: DeclaredUpload): void {
  const presented = `sha256=${signature.signatureHex}`;
  const signed = accepted.some((secret) =>
    safeEqual(signUpload(secret, signature.timestamp, declared.sha256Hex, declared.length), presented),
  );
  if (!signed)
    throw new IngestError(
      'SIGNATURE_INVALID',
      'X-Store-Signature does not match <timestamp>.<X-Content-SHA256>.<X-Content-Length>',
    );
}
