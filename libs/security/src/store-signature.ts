import { createHmac, type Hmac } from 'node:crypto';

/**
 * The one signing scheme of stores (webhooks, NDJSON uploads, events a store produces straight to Kafka): hex
 * HMAC-SHA256 with the store's webhook secret, presented as `sha256=<hex>` with the unix-seconds timestamp it
 * covers. Kept in one place so that ingest, the syncer, the CLIs and the tests cannot drift apart.
 */

/** Starts the HMAC over `<timestamp>.`; the caller feeds the signed bytes (all at once or chunk by chunk). */
export function startStoreSignature(secret: string, timestamp: string | number): Hmac {
  return createHmac('sha256', secret).update(`${timestamp}.`);
}

/** `sha256=<hex>` over `<timestamp>.<body>`: webhooks, job-status reads (empty body) and produced events. */
export function signStoreBody(secret: string, timestamp: string | number, body: string | Buffer): string {
  return `sha256=${startStoreSignature(secret, timestamp).update(body).digest('hex')}`;
}

/**
 * `sha256=<hex>` over `<timestamp>.<sha256 hex of the body>.<body length>`: an NDJSON upload is authenticated from
 * its headers alone, before a byte of its body is read; the body is then held to the digest and length it signed.
 */
export function signUpload(secret: string, timestamp: string | number, bodySha256Hex: string, length: number): string {
  return signStoreBody(secret, timestamp, `${bodySha256Hex.toLowerCase()}.${length}`);
}

/**
 * The Kafka headers that sign an entity-change record with its store's secret: `x-store-timestamp` (unix seconds)
 * and `x-store-signature` (signStoreBody over the record value). Ingest puts them on every record it publishes,
 * direct store producers on theirs; the syncer takes no record without them.
 */
export const STORE_SIGNATURE_HEADERS = { timestamp: 'x-store-timestamp', signature: 'x-store-signature' } as const;

/** The signature headers of one record value, signed at `timestamp` (unix seconds). */
export function signedRecordHeaders(
  secret: string,
  timestamp: string | number,
  value: string | Buffer,
): Record<string, string> {
  return {
    [STORE_SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [STORE_SIGNATURE_HEADERS.signature]: signStoreBody(secret, timestamp, value),
  };
}
