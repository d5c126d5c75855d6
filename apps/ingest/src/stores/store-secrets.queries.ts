import { Injectable } from '@nestjs/common';
import { StoreRepository, StoreWebhookSecrets } from '@xero-sync/persistence';
import { IngestError } from '../ingest.errors';

/** How long a looked-up secret (or "no such store") is reused; bounds how late a rotation takes effect. */
export const SECRET_CACHE_TTL_MS = 3000;
const MAX_ENTRIES = 10_000;

interface Entry {
  expires: number;
  secrets: Promise<StoreWebhookSecrets | null>;
}

/**
 * Webhook secrets by store, cached for a few seconds so the signature check costs no database round trip and
 * no decryption per request at thousands of events per second. Concurrent misses share one lookup. A rotated
 * secret takes effect within SECRET_CACHE_TTL_MS; the one it replaced is accepted until the end of the grace the
 * rotation gave it, so a store that is reconfigured after the rotation loses no request meanwhile.
 */
@Injectable()
export class StoreSecretsQueries {
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly stores: StoreRepository) {}

  /** The store's current webhook secret (the one that signs), or null when the store does not exist. */
  async secretOf(storeId: string, now = Date.now()): Promise<string | null> {
    return (await this.secretsOf(storeId, now))?.current ?? null;
  }

  /**
   * The secrets a request of the store may be signed with now: the current one, and the replaced one while its
   * grace lasts. Null when the store does not exist.
   */
  async acceptedSecretsOf(storeId: string, now = Date.now()): Promise<string[] | null> {
    const secrets = await this.secretsOf(storeId, now);
    if (!secrets) return null;
    const { current, previous } = secrets;
    return previous && previous.until.getTime() > now ? [current, previous.secret] : [current];
  }

  private secretsOf(storeId: string, now: number): Promise<StoreWebhookSecrets | null> {
    const hit = this.cache.get(storeId);
    if (hit && hit.expires > now) return hit.secrets;
    // Random store ids (probing, fuzzing) must not grow the cache without bound.
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    const secrets = this.stores.webhookSecretsOf(storeId).catch((err: unknown) => {
      // A failed lookup (database away) is not remembered, and the store is told to retry rather than refused.
      this.cache.delete(storeId);
      const reason = err instanceof Error ? err.message : String(err);
      throw new IngestError(
        'STORE_REGISTRY_UNAVAILABLE',
        `store registry unavailable, retry later (${reason.slice(0, 120)})`,
      );
    });
    this.cache.set(storeId, { expires: now + SECRET_CACHE_TTL_MS, secrets });
    return secrets;
  }
}
