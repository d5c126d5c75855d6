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
   * just fixed a setting, and the retry must use it. `readSince` (epoch ms) takes a cached read made at or after
   * that time and reads now otherwise (a flush started by a tick takes the tick's read, see `prefetch`).
   */
  get(storeId: string, opts: { fresh?: boolean; readSince?: number } = {}): Promise<StoreSettings> {
    const hit = this.cache.get(storeId);
    const wanted = opts.readSince !== undefined ? (hit?.at ?? 0) >= opts.readSince : !opts.fresh;
    if (hit && wanted && Date.now() - hit.at < this.ttlMs) return hit.value;
    return this.read(storeId, this.source.get(storeId));
  }

  /**
   * Reads the stores' settings now, in one read, into the cache: a flush tick's candidates, whose turn each tick
   * decides from their settings and whose flushes then use them (`readSince`), instead of a read per store and
   * another per flush.
   */
  async prefetch(storeIds: string[]): Promise<void> {
    if (storeIds.length === 0) return;
    const many = this.source.getMany(storeIds);
    for (const id of storeIds)
      void this.read(
        id,
        many.then((m) => m.get(id)!),
      );
    // A failed read leaves nothing cached: each store's own `get` reads it again.
    await many.catch(() => undefined);
  }

  private read(storeId: string, value: Promise<StoreSettings>): Promise<StoreSettings> {
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
