import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { safeEqual, startStoreSignature } from '@xero-sync/security';
import { IngestError } from '../ingest.errors';
import { rawBodyOf } from '../raw-body';
import { StoreSecretsQueries } from '../stores/store-secrets.queries';

export const TIMESTAMP_HEADER = 'x-store-timestamp';
export const SIGNATURE_HEADER = 'x-store-signature';
/** Requests signed more than this far from the server's clock are refused (replay window, docs/conventions.md). */
export const REPLAY_WINDOW_S = 300;

const STORE_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;

/** The signature headers of a request, checked for shape and freshness (not yet for the HMAC itself). */
export interface SignatureHeaders {
  timestamp: string;
  signatureHex: string;
}

/**
 * Reads and pre-checks `X-Store-Timestamp` and `X-Store-Signature: sha256=<hex>`.
 * @throws IngestError SIGNATURE_MISSING | SIGNATURE_INVALID | SIGNATURE_STALE
 */
export function readSignatureHeaders(
  headers: Record<string, string | string[] | undefined>,
  nowMs = Date.now(),
): SignatureHeaders {
  const timestamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !timestamp || !signature) {
    throw new IngestError('SIGNATURE_MISSING', 'X-Store-Timestamp and X-Store-Signature headers are required');
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new IngestError('SIGNATURE_INVALID', 'X-Store-Timestamp must be unix seconds');
  }
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > REPLAY_WINDOW_S) {
    throw new IngestError(
      'SIGNATURE_STALE',
      `X-Store-Timestamp is more than ${REPLAY_WINDOW_S} s from the server time`,
    );
  }
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(signature);
  if (!match) throw new IngestError('SIGNATURE_INVALID', 'X-Store-Signature must be "sha256=<64 hex chars>"');
  return { timestamp, signatureHex: match[1].toLowerCase() };
}

/**
 * Timing-safe comparison of the presented signature with the one each accepted secret computes (the current one, and
 * the replaced one during its grace). @throws IngestError SIGNATURE_INVALID
 */
function assertSignature(accepted: string[], headers: SignatureHeaders, body: Buffer): void {
  const signed = accepted.some((secret) =>
    safeEqual(startStoreSignature(secret, headers.timestamp).update(body).digest('hex'), headers.signatureHex),
  );
  if (!signed) {
    throw new IngestError('SIGNATURE_INVALID', 'signature does not match the body and timestamp');
  }
}

/**
 * Resolves the secrets a request of the store may be signed with now (see StoreSecretsQueries.acceptedSecretsOf);
 * unknown store ids (also malformed ones) are STORE_NOT_FOUND.
 */
export async function acceptedSecretsOfStore(secrets: StoreSecretsQueries, storeId: string): Promise<string[]> {
  const accepted = STORE_ID.test(storeId) ? await secrets.acceptedSecretsOf(storeId) : null;
  if (accepted === null) throw new IngestError('STORE_NOT_FOUND', `store "${storeId.slice(0, 64)}" is not registered`);
  return accepted;
}

/**
 * Authenticates a signed request: the store exists (404), both headers are present and fresh (401), and the
 * HMAC-SHA256 of `<timestamp>.<body>` with one of the store's accepted secrets equals the presented one, compared in
 * constant time (401).
 */
export async function verifyStoreSignature(
  secrets: StoreSecretsQueries,
  storeId: string,
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): Promise<void> {
  const accepted = await acceptedSecretsOfStore(secrets, storeId);
  assertSignature(accepted, readSignatureHeaders(headers), body);
}

/**
 * What can be checked of a signed request before its body is read: the store exists (404) and both headers are
 * present, well formed and fresh (401). A request failing these is refused without buffering its body.
 */
export async function admitSignedRequest(
  secrets: StoreSecretsQueries,
  storeId: string,
  headers: Record<string, string | string[] | undefined>,
): Promise<void> {
  await acceptedSecretsOfStore(secrets, storeId);
  readSignatureHeaders(headers);
}

/** verifyStoreSignature as a Nest guard, for the signed routes served by Nest (backfill job status). */
@Injectable()
export class StoreSignatureGuard implements CanActivate {
  constructor(private readonly secrets: StoreSecretsQueries) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest<{ Params: { storeId: string } }>>();
    await verifyStoreSignature(this.secrets, String(req.params.storeId), req.headers, rawBodyOf(req));
    return true;
  }
}
