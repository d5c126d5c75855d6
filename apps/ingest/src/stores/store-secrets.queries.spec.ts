import type { StoreRepository, StoreWebhookSecrets } from '@xero-sync/persistence';
import { SECRET_CACHE_TTL_MS, StoreSecretsQueries } from './store-secrets.queries';

/** A store registry fake that answers from a script and fails on anything unexpected. */
function registry(answers: (() => Promise<StoreWebhookSecrets | null>)[]) {
  const calls: string[] = [];
  const fake = {
    webhookSecretsOf: (storeId: string) => {
      calls.push(storeId);
      const next = answers.shift();
      if (!next) throw new Error(`unexpected lookup of ${storeId}`);
      return next();
    },
  };
  return { queries: new StoreSecretsQueries(fake as unknown as StoreRepository), calls };
}

describe('StoreSecretsQueries', () => {
  it('serves a secret from cache until the TTL passes, so a rotation lands within seconds', async () => {
    const { queries, calls } = registry([async () => ({ current: 'old' }), async () => ({ current: 'new' })]);
    expect(await queries.secretOf('s1', 0)).toBe('old');
    expect(await queries.secretOf('s1', SECRET_CACHE_TTL_MS - 1)).toBe('old');
    expect(await queries.secretOf('s1', SECRET_CACHE_TTL_MS + 1)).toBe('new');
    expect(calls).toEqual(['s1', 's1']);
  });

  it('accepts the replaced secret beside the current one until its grace ends; signs only with the current one', async () => {
    const previous = { secret: 'old', until: new Date(SECRET_CACHE_TTL_MS / 2) };
    const { queries } = registry([async () => ({ current: 'new', previous })]);
    expect(await queries.acceptedSecretsOf('s1', 0)).toEqual(['new', 'old']);
    expect(await queries.secretOf('s1', 1)).toBe('new');
    expect(await queries.acceptedSecretsOf('s1', SECRET_CACHE_TTL_MS / 2 - 1)).toEqual(['new', 'old']);
    // Still the cached lookup, but the grace is over.
    expect(await queries.acceptedSecretsOf('s1', SECRET_CACHE_TTL_MS / 2)).toEqual(['new']);
  });

  it('shares one lookup between concurrent requests and remembers unknown stores briefly', async () => {
    const { queries, calls } = registry([async () => null]);
    expect(await Promise.all([queries.secretOf('nope', 0), queries.secretOf('nope', 1)])).toEqual([null, null]);
    expect(calls).toEqual(['nope']);
  });

  it('turns a database failure into a retryable STORE_REGISTRY_UNAVAILABLE and does not cache it', async () => {
    const { queries } = registry([
      () => Promise.reject(new Error('connection refused')),
      async () => ({ current: 'back' }),
    ]);
    await expect(queries.secretOf('s1', 0)).rejects.toMatchObject({ code: 'STORE_REGISTRY_UNAVAILABLE' });
    expect(await queries.secretOf('s1', 1)).toBe('back');
  });
});
