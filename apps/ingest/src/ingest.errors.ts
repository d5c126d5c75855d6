import { FieldError } from '@xero-sync/contracts';

export type IngestErrorCode =
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'STORE_NOT_FOUND'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'SIGNATURE_STALE'
  | 'MALFORMED_JSON'
  | 'VALIDATION'
  | 'UPLOAD_HEADER_INVALID'
  | 'BODY_MISMATCH'
  | 'UPLOADS_IN_PROGRESS'
  | 'SPOOL_QUOTA_EXCEEDED'
  | 'JOB_NOT_FOUND'
  | 'BACKFILL_NOT_CONFIGURED'
  | 'BROKER_UNAVAILABLE'
  | 'SHUTTING_DOWN'
  | 'STORE_REGISTRY_UNAVAILABLE'
  /** The store made more requests than its rate limit allows in this window (429 with `retryAfterS`). */
  | 'RATE_LIMITED';

/**
 * Everything ingest refuses, with a stable code; mapped to HTTP in one place (ingest-errors.filter.ts).
 * `errors` lists every failing field for MALFORMED_JSON and VALIDATION, and the header at fault for refused uploads
 * (`header:<name>`).
 */
export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    /** Seconds to wait before retrying, for RATE_LIMITED. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}
