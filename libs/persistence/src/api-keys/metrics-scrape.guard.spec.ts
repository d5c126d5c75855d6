import { ExecutionContext, HttpException } from '@nestjs/common';
import { MetricsController } from '@xero-sync/observability';
import { mayScrapeMetrics, presentedApiKey } from './api-key-access';
import { ApiKeyAuthQueries, ApiKeyPrincipal } from './api-key-auth.queries';
import { MetricsScrapeGuard } from './metrics-scrape.guard';

class OtherController {}

/** A key lookup that knows only the given keys (and fails on anything but principalOf). */
function auth(keys: Record<string, ApiKeyPrincipal>): ApiKeyAuthQueries {
  return { principalOf: async (key: string) => keys[key] ?? null } as unknown as ApiKeyAuthQueries;
}

function context(controller: unknown, headers: Record<string, string>): ExecutionContext {
  return {
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => ({ headers }) }),
  } as unknown as ExecutionContext;
}

const keys: Record<string, ApiKeyPrincipal> = {
  'metrics-key': { keyId: '1', name: 'prometheus', role: 'metrics', stores: '*' },
  'admin-key': { keyId: '2', name: 'ops', role: 'admin', stores: '*' },
  'scoped-admin': { keyId: '3', name: 'shop-a', role: 'admin', stores: ['a'] },
  'viewer-key': { keyId: '4', name: 'viewer', role: 'viewer', stores: '*' },
};

async function statusOf(guard: MetricsScrapeGuard, ctx: ExecutionContext): Promise<number> {
  try {
    return (await guard.canActivate(ctx)) ? 200 : 0;
  } catch (err) {
    return (err as HttpException).getStatus();
  }
}

describe('MetricsScrapeGuard', () => {
  const guard = new MetricsScrapeGuard(auth(keys));

  it('answers 401 to a scrape without a key or with an unknown one', async () => {
    expect(await statusOf(guard, context(MetricsController, {}))).toBe(401);
    expect(await statusOf(guard, context(MetricsController, { authorization: 'Bearer nope' }))).toBe(401);
  });

  it('lets a metrics key and an all-store admin key scrape, by Bearer or X-Api-Key', async () => {
    expect(await statusOf(guard, context(MetricsController, { authorization: 'Bearer metrics-key' }))).toBe(200);
    expect(await statusOf(guard, context(MetricsController, { 'x-api-key': 'admin-key' }))).toBe(200);
  });

  it('answers 403 to a viewer key and to an admin key scoped to some stores', async () => {
    expect(await statusOf(guard, context(MetricsController, { authorization: 'Bearer viewer-key' }))).toBe(403);
    expect(await statusOf(guard, context(MetricsController, { authorization: 'Bearer scoped-admin' }))).toBe(403);
  });

  it('leaves every other route to its own authentication', async () => {
    const strict = new MetricsScrapeGuard({} as ApiKeyAuthQueries);
    expect(await statusOf(strict, context(OtherController, {}))).toBe(200);
  });
});

describe('mayScrapeMetrics and presentedApiKey', () => {
  it('is the one scrape rule', () => {
    expect(mayScrapeMetrics({ role: 'metrics', stores: '*' })).toBe(true);
    expect(mayScrapeMetrics({ role: 'admin', stores: '*' })).toBe(true);
    expect(mayScrapeMetrics({ role: 'admin', stores: ['a'] })).toBe(false);
    expect(mayScrapeMetrics({ role: 'operator', stores: '*' })).toBe(false);
  });

  it('reads Bearer before X-Api-Key and ignores other schemes', () => {
    expect(presentedApiKey({ authorization: 'Bearer abc', 'x-api-key': 'def' })).toBe('abc');
    expect(presentedApiKey({ authorization: 'Basic abc', 'x-api-key': 'def' })).toBe('def');
    expect(presentedApiKey({ authorization: 'Basic abc' })).toBeUndefined();
  });
});
