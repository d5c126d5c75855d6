import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { StoreSettings, StoreSettingsRepository } from '@xero-sync/persistence';

/**
 * A store's settings, read at most once per few seconds: every event needs them, admins change them rarely. The
 * syncer's one read of them: Xero delivery is handed what this returns.
 */
@Injectable()
export class SyncSettingsCache {
  private readonly cache = new Map<string, { at: number; value: Promise<StoreSettings> }>();
  private readonly ttlMs: number;

  constructor(
    private readonly source: StoreSettingsRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlMs = Math.min(5000, config.SYNCER_FLUSH_TICK_MS * 5);
  }

  /**
   * The store's settings; `fresh` reads them now (and refreshes the cache): a person pressing Sync Now has often
   * just fixed a setting, and the retry must use it.
   */
  get(storeId: string, opts: { fresh?: boolean } = {}): Promise<StoreSettings> {
    const hit = this.cache.get(storeId);
    if (!opts.fresh && hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.source.get(storeId);
    this.cache.set(storeId, { at: Date.now(), value });
    // A failed read must not be served from the cache.
    value.catch(() => this.cache.delete(storeId));
    return value;
  }

  /** The key of the flush lease for a store: its Xero org when bound, so two stores of one org never flush at once. */
  static leaseKey(settings: Pick<StoreSettings, 'storeId' | 'xeroTenantId'>): string {
    return settings.xeroTenantId ? `org:${settings.xeroTenantId}` : `store:${settings.storeId}`;
  }
}
