import type { StoreRepository } from '@xero-sync/persistence';
import { SECRET_CACHE_TTL_MS, StoreSecretsQueries } from './store-secrets.queries';

/** A store registry fake that answers from a script and fails on anything unexpected. */
function registry(answers: (() => Promise<string | null>)[]) {
  const calls: string[] = [];
  const fake = {
    webhookSecretOf: (storeId: string) => {
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
    const { queries, calls } = registry([async () => 'old', async () => 'new']);
    expect(await queries.secretOf('s1', 0)).toBe('old');
    expect(await queries.secretOf('s1', SECRET_CACHE_TTL_MS - 1)).toBe('old');
    expect(await queries.secretOf('s1', SECRET_CACHE_TTL_MS + 1)).toBe('new');
    expect(calls).toEqual(['s1', 's1']);
  });

  it('shares one lookup between concurrent requests and remembers unknown stores briefly', async () => {
    const { queries, calls } = registry([async () => null]);
    expect(await Promise.all([queries.secretOf('nope', 0), queries.secretOf('nope', 1)])).toEqual([null, null]);
    expect(calls).toEqual(['nope']);
  });

  it('turns a database failure into a retryable STORE_REGISTRY_UNAVAILABLE and does not cache it', async () => {
    const { queries } = registry([() => Promise.reject(new Error('connection refused')), async () => 'back']);
    await expect(queries.secretOf('s1', 0)).rejects.toMatchObject({ code: 'STORE_REGISTRY_UNAVAILABLE' });
    expect(await queries.secretOf('s1', 1)).toBe('back');
  });
});
