import type { AppConfig } from '@xero-sync/config';
import { IngestError } from '../ingest.errors';
import { FixedWindowThrottlerStorage, StoreRateLimiter } from './store-rate.limiter';

describe('FixedWindowThrottlerStorage', () => {
  afterEach(() => jest.useRealTimers());

  it('counts hits per key in fixed windows and blocks past the limit until the window ends', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 1; i <= 3; i++)
      expect(await storage.increment('a', 10_000, 3)).toMatchObject({ totalHits: i, isBlocked: false });
    expect(await storage.increment('a', 10_000, 3)).toEqual({
      totalHits: 4,
      timeToExpire: 10,
      isBlocked: true,
      timeToBlockExpire: 10,
    });
    expect(await storage.increment('b', 10_000, 3)).toMatchObject({ totalHits: 1, isBlocked: false });
    jest.setSystemTime(1_000_000 + 7_500);
    expect(await storage.increment('a', 10_000, 3)).toMatchObject({ isBlocked: true, timeToBlockExpire: 3 });
    jest.setSystemTime(1_000_000 + 10_000);
    expect(await storage.increment('a', 10_000, 3)).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});

describe('StoreRateLimiter', () => {
  it('throws RATE_LIMITED with the seconds to wait once a store is over its limit', async () => {
    const config = { INGEST_STORE_RATE_LIMIT: 2, INGEST_STORE_RATE_WINDOW_MS: 60_000 } as AppConfig;
    const limiter = new StoreRateLimiter(new FixedWindowThrottlerStorage(), config);
    await limiter.check('s1');
    await limiter.check('s1');
    const err = await limiter.check('s1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retryAfterS: 60 });
    await expect(limiter.check('s2')).resolves.toBeUndefined();
  });
});
