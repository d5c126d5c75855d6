import { Injectable } from '@nestjs/common';
import { FieldError } from '@xero-sync/contracts';
import { StoreRepository } from '@xero-sync/persistence';
import { safeEqual, signStoreBody } from '@xero-sync/security';

/** Headers a direct store producer puts on each record: the webhook scheme over the record's value. */
export const PRODUCER_TIMESTAMP_HEADER = 'x-store-timestamp';
export const PRODUCER_SIGNATURE_HEADER = 'x-store-signature';

/** How long a looked-up secret is reused: bounds how late a rotated secret takes effect for producers. */
const SECRET_CACHE_TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

/**
 * Checks events a store wrote to Kafka itself (origin "producer"): they carry `x-store-timestamp` and
 * `x-store-signature: sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<record value>` with the webhook secret of the
 * store the event names, exactly as a webhook is signed. No freshness window: a record may wait in Kafka for hours.
 * Secrets are cached for a few seconds (producers send many events per store).
 */
@Injectable()
export class ProducerSignatureQueries {
  private readonly cache = new Map<string, { expires: number; secret: Promise<string | null> }>();

  constructor(private readonly stores: StoreRepository) {}

  /** Why the record is not signed by its store (for the dead letter), or undefined when it is. */
  async refusalOf(
    storeId: string,
    value: Buffer,
    headers: Record<string, string>,
    now = Date.now(),
  ): Promise<FieldError[] | undefined> {
    const timestamp = headers[PRODUCER_TIMESTAMP_HEADER];
    const signature = headers[PRODUCER_SIGNATURE_HEADER];
    if (!timestamp || !signature)
      return [
        {
          path: `header:${PRODUCER_SIGNATURE_HEADER}`,
          message: `producer events must carry ${PRODUCER_TIMESTAMP_HEADER} and ${PRODUCER_SIGNATURE_HEADER} (the store's webhook signature)`,
        },
      ];
    const secret = await this.secretOf(storeId, now);
    if (secret === null) return [{ path: 'storeId', message: `store "${storeId}" is not registered` }];
    if (!safeEqual(signStoreBody(secret, timestamp, value), signature))
      return [
        {
          path: `header:${PRODUCER_SIGNATURE_HEADER}`,
          message: `not signed with the webhook secret of store "${storeId}"`,
        },
      ];
    return undefined;
  }

  private secretOf(storeId: string, now: number): Promise<string | null> {
    const hit = this.cache.get(storeId);
    if (hit && hit.expires > now) return hit.secret;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    // A failed lookup (database away) throws, so the consumer retries the record; it is not remembered.
    const secret = this.stores.webhookSecretOf(storeId);
    secret.catch(() => this.cache.delete(storeId));
    this.cache.set(storeId, { expires: now + SECRET_CACHE_TTL_MS, secret });
    return secret;
  }
}
