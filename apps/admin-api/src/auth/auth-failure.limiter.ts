import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';

/**
 * Counts failed authentications per client address in a fixed window; once an address reaches the limit
 * it is refused (429) until the window ends, even with a valid key, so keys cannot be guessed at speed.
 * In-memory per instance: each admin-api instance limits on its own, which still bounds guessing.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly failures = new Map<string, { count: number; windowEndsAt: number }>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limit = config.ADMIN_AUTH_FAILURE_LIMIT;
    this.windowMs = config.ADMIN_AUTH_FAILURE_WINDOW_MS;
  }

  /** Milliseconds until this address may try again, or 0 if it is not blocked. */
  blockedForMs(address: string, now = Date.now()): number {
    const entry = this.failures.get(address);
    if (!entry || entry.windowEndsAt <= now) return 0;
    return entry.count >= this.limit ? entry.windowEndsAt - now : 0;
  }

  recordFailure(address: string, now = Date.now()): void {
    const entry = this.failures.get(address);
    if (!entry || entry.windowEndsAt <= now) {
      this.failures.set(address, { count: 1, windowEndsAt: now + this.windowMs });
    } else {
      entry.count += 1;
    }
    if (this.failures.size > 10_000) this.evictExpired(now);
  }

  private evictExpired(now: number): void {
    for (const [address, entry] of this.failures) if (entry.windowEndsAt <= now) this.failures.delete(address);
  }
}
