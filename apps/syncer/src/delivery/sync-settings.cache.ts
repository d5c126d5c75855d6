import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { SYNC_SETTINGS_SOURCE, SyncSettings, SyncSettingsSource } from './xero-delivery.port';

/** Reads a store's settings at most once per few seconds: every event needs them, admins change them rarely. */
@Injectable()
export class SyncSettingsCache {
  private readonly cache = new Map<string, { at: number; value: Promise<SyncSettings> }>();
  private readonly ttlMs: number;

  constructor(
    @Inject(SYNC_SETTINGS_SOURCE) private readonly source: SyncSettingsSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlMs = Math.min(5000, config.SYNCER_FLUSH_TICK_MS * 5);
  }

  get(storeId: string): Promise<SyncSettings> {
    const hit = this.cache.get(storeId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.source.get(storeId);
    this.cache.set(storeId, { at: Date.now(), value });
    // A failed read must not be served from the cache.
    value.catch(() => this.cache.delete(storeId));
    return value;
  }

  /** The key of the flush lease for a store: its Xero org when bound, so two stores of one org never flush at once. */
  static leaseKey(settings: SyncSettings): string {
    return settings.xeroTenantId ? `org:${settings.xeroTenantId}` : `store:${settings.storeId}`;
  }
}
