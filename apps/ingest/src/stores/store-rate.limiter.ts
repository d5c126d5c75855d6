import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { IngestError } from '../ingest.errors';

/**
 * A @nestjs/throttler storage counting hits per key in fixed windows: O(1) per request. The throttler's own
 * storage keeps one timestamp per hit and filters them on every request, which at webhook rates (thousands per
 * second for one store) would cost more than the webhook itself.
 */
export class FixedWindowThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, { hits: number; endsAt: number }>();

  async increment(key: string, ttl: number, limit: number): ReturnType<ThrottlerStorage['increment']> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      if (this.windows.size > 10_000) this.evictEnded(now);
      window = { hits: 0, endsAt: now + ttl };
      this.windows.set(key, window);
    }
    window.hits += 1;
    const timeToExpire = Math.max(1, Math.ceil((window.endsAt - now) / 1000));
    const isBlocked = window.hits > limit;
    return { totalHits: window.hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }

  private evictEnded(now: number): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/**
 * Requests per store (webhooks and backfill routes together), per ingest process: past INGEST_STORE_RATE_LIMIT
 * in INGEST_STORE_RATE_WINDOW_MS the store gets 429 with Retry-After until its window ends, before its body is
 * read. One merchant flooding ingest then cannot take the capacity every other store shares.
 */
@Injectable()
export class StoreRateLimiter {
  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Counts one request of the store; throws RATE_LIMITED (429) once it is over its limit. */
  async check(storeId: string): Promise<void> {
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      `store:${storeId}`,
      this.config.INGEST_STORE_RATE_WINDOW_MS,
      this.config.INGEST_STORE_RATE_LIMIT,
      0,
      'store',
    );
    if (isBlocked) {
      throw new IngestError(
        'RATE_LIMITED',
        `too many requests for store ${storeId}; retry after ${timeToBlockExpire} s`,
        [],
        timeToBlockExpire,
      );
    }
  }
}
