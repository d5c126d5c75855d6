import { AppConfig } from '@xero-sync/config';
import { defaultStoreSettings, StoreSettings, StoreSettingsRepository } from '@xero-sync/persistence';
import { SyncSettingsCache } from './sync-settings.cache';

describe('SyncSettingsCache', () => {
  /** A settings table whose reads are counted; the account code changes like an admin's fix. */
  function table() {
    let sales = '4000';
    const reads: string[] = [];
    const repo = {
      get: (storeId: string): Promise<StoreSettings> => {
        reads.push(storeId);
        const d = defaultStoreSettings(storeId);
        return Promise.resolve({ ...d, mapping: { ...d.mapping, accounts: { ...d.mapping.accounts, sales } } });
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
});
