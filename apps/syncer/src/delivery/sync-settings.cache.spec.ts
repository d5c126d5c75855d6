import { AppConfig } from '@xero-sync/config';
import { defaultStoreSettings, StoreSettings, StoreSettingsRepository } from '@xero-sync/persistence';
import { SyncSettingsCache } from './sync-settings.cache';

describe('SyncSettingsCache', () => {
  /** A settings table whose reads are counted; the account code changes like an admin's fix. */
  function table() {
    let sales = '4000';
    const reads: string[] = [];
    const settingsOf = (storeId: string): StoreSettings => {
      const d = defaultStoreSettings(storeId);
      return { ...d, mapping: { ...d.mapping, accounts: { ...d.mapping.accounts, sales } } };
    };
    const repo = {
      get: (storeId: string): Promise<StoreSettings> => {
        reads.push(storeId);
        return Promise.resolve(settingsOf(storeId));
      },
      getMany: (storeIds: string[]): Promise<Map<string, StoreSettings>> => {
        reads.push(storeIds.join('+'));
        return Promise.resolve(new Map(storeIds.map((id) => [id, settingsOf(id)])));
      },
    } as unknown as StoreSettingsRepository;
    return { repo, reads, fix: () => (sales = '200') };
  }
  const config = { SYNCER_FLUSH_TICK_MS: 60_000 } as AppConfig;

  it('reads a store once per few seconds for events, but now for Sync Now after a fix', async () => {
    const t = table();
    const cache = new SyncSettingsCache(t.repo, config);
    expect((await cache.get('s1')).mapping.accounts.sales).toBe('4000');
    t.fix();
    // an event right after the fix may still see the cached read
    expect((await cache.get('s1')).mapping.accounts.sales).toBe('4000');
    expect(t.reads).toEqual(['s1']);
    // Sync Now (and a flush) reads it fresh, and later events see the fix too
    expect((await cache.get('s1', { fresh: true })).mapping.accounts.sales).toBe('200');
    expect((await cache.get('s1')).mapping.accounts.sales).toBe('200');
    expect(t.reads).toEqual(['s1', 's1']);
  });

  it('reads a tick’s candidates in one read; a flush takes that read if made since the time it names', async () => {
    const t = table();
    const cache = new SyncSettingsCache(t.repo, config);
    const tickAt = Date.now();
    await cache.prefetch(['s1', 's2', 's3']);
    expect(t.reads).toEqual(['s1+s2+s3']);
    expect((await cache.get('s2')).storeId).toBe('s2');
    expect((await cache.get('s3', { readSince: tickAt })).storeId).toBe('s3');
    expect(t.reads).toEqual(['s1+s2+s3']);
    // A fix saved after the tick's read: a flush asking for a read made since then reads again and sees it.
    await new Promise((r) => setTimeout(r, 5));
    t.fix();
    expect((await cache.get('s1', { readSince: Date.now() })).mapping.accounts.sales).toBe('200');
    expect(t.reads).toEqual(['s1+s2+s3', 's1']);
  });

  it('caches nothing from a failed tick read: each store is read on its own next time', async () => {
    let fail = true;
    const reads: string[] = [];
    const repo = {
      get: (storeId: string) => {
        reads.push(storeId);
        return Promise.resolve(defaultStoreSettings(storeId));
      },
      getMany: () => (fail ? Promise.reject(new Error('database away')) : Promise.resolve(new Map())),
    } as unknown as StoreSettingsRepository;
    const cache = new SyncSettingsCache(repo, config);
    await cache.prefetch(['s1', 's2']);
    fail = false;
    expect((await cache.get('s1')).storeId).toBe('s1');
    expect(reads).toEqual(['s1']);
  });
});
