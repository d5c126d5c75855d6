import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { FieldError } from '@xero-sync/contracts';
import { StoreRepository, StoreWebhookSecrets } from '@xero-sync/persistence';
import { safeEqual, signStoreBody, STORE_SIGNATURE_HEADERS } from '@xero-sync/security';

/** How long a looked-up secret is reused: bounds how late a rotated secret takes effect. */
const SECRET_CACHE_TTL_MS = 10_000;
/**
 * How far past the end of a replaced secret's grace an event's signing time may lie and still verify with it: the
 * clocks of ingest and of direct producers (ingest refuses webhooks more than 300 s off its own clock), and ingest
 * signing with its cached secret for a few seconds after a rotation.
 */
export const PREVIOUS_SECRET_SKEW_S = 300;
const MAX_ENTRIES = 10_000;

/** What a refusal tells the operator to do about an event an older ingest published without a signature. */
const UNSIGNED_FIX =
  'an event published before ingest signed its events is fixed by Sync Now of the record (or by the store sending it again)';

/**
 * Checks that an entity event is signed by the store it names, whatever origin it claims (ingest signs what it
 * publishes, direct producers sign theirs): `x-store-timestamp` and `x-store-signature: sha256=<hex>`, the
 * HMAC-SHA256 of `<timestamp>.<record value>` with the store's webhook secret, exactly as a webhook is signed. No
 * freshness window: a record may wait in Kafka for hours, and a replay reads it again days later. Secrets are
 * cached for a few seconds, so a check costs one HMAC. After a rotation, a record signed with the replaced secret
 * verifies when it was signed before that secret's grace ended (`x-store-timestamp`; see PREVIOUS_SECRET_SKEW_S):
 * the events accepted before the rotation still wait in Kafka, and a replay reads them again later. A record signed
 * two rotations back is refused. SYNCER_ACCEPT_UNSIGNED_EVENTS (an upgrade window) takes records without any
 * signature unless they claim origin `producer`.
 */
@Injectable()
export class EventSignatureQueries {
  private readonly cache = new Map<string, { expires: number; secrets: Promise<StoreWebhookSecrets | null> }>();
  private readonly acceptUnsigned: boolean;

  constructor(
    private readonly stores: StoreRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.acceptUnsigned = config.SYNCER_ACCEPT_UNSIGNED_EVENTS;
  }

  /** Why the record is not signed by its store (for the dead letter), or undefined when it is. */
  async refusalOf(
    event: { storeId: string; origin: string },
    value: Buffer,
    headers: Record<string, string>,
    now = Date.now(),
  ): Promise<FieldError[] | undefined> {
    const { storeId, origin } = event;
    const timestamp = headers[STORE_SIGNATURE_HEADERS.timestamp];
    const signature = headers[STORE_SIGNATURE_HEADERS.signature];
    if (!timestamp && !signature && this.acceptUnsigned && origin !== 'producer') return undefined;
    if (!timestamp || !signature)
      return [
        {
          path: `header:${STORE_SIGNATURE_HEADERS.signature}`,
          message:
            `unsigned ${origin} event: every event must carry ${STORE_SIGNATURE_HEADERS.timestamp} and ` +
            `${STORE_SIGNATURE_HEADERS.signature} (the store's webhook signature); ${UNSIGNED_FIX}`,
        },
      ];
    const secrets = await this.secretsOf(storeId, now);
    if (secrets === null) return [{ path: 'storeId', message: `store "${storeId}" is not registered` }];
    if (!signedWith(secrets, timestamp, value, signature))
      return [
        {
          path: `header:${STORE_SIGNATURE_HEADERS.signature}`,
          message: `not signed with the webhook secret of store "${storeId}"`,
        },
      ];
    return undefined;
  }

  private secretsOf(storeId: string, now: number): Promise<StoreWebhookSecrets | null> {
    const hit = this.cache.get(storeId);
    if (hit && hit.expires > now) return hit.secrets;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    // A failed lookup (database away) throws, so the consumer retries the record; it is not remembered.
    const secrets = this.stores.webhookSecretsOf(storeId);
    secrets.catch(() => this.cache.delete(storeId));
    this.cache.set(storeId, { expires: now + SECRET_CACHE_TTL_MS, secrets });
    return secrets;
  }
}

/** Signed with the current secret, or with the replaced one at a time its grace (+ skew) covers. */
function signedWith(secrets: StoreWebhookSecrets, timestamp: string, value: Buffer, signature: string): boolean {
  if (safeEqual(signStoreBody(secrets.current, timestamp, value), signature)) return true;
  const { previous } = secrets;
  if (!previous || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Number(timestamp) > previous.until.getTime() / 1000 + PREVIOUS_SECRET_SKEW_S) return false;
  return safeEqual(signStoreBody(previous.secret, timestamp, value), signature);
}
