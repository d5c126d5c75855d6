import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { safeEqual, sha256Hex } from '@xero-sync/security';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyRole, ApiKeyStores } from './api-key.schema';

/** Who presented a key: its id and name (or "bootstrap"), its role and the stores it may see. */
export interface ApiKeyPrincipal {
  keyId: string;
  name: string;
  role: ApiKeyRole;
  stores: ApiKeyStores;
}

/**
 * Resolves a presented key to its principal, the same way in every app: the bootstrap key (ADMIN_BOOTSTRAP_TOKEN,
 * admin of every store, so a fresh install can create its first keys) unless it was retired, or a stored key that
 * is neither revoked nor expired, compared by SHA-256 hash. A retired bootstrap key is a revoked record with its
 * hash in `api_keys`, so retiring holds across restarts, instances and apps.
 */
@Injectable()
export class ApiKeyAuthQueries {
  private readonly bootstrapHash: string | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly keys: ApiKeyRepository,
  ) {
    this.bootstrapHash = config.ADMIN_BOOTSTRAP_TOKEN ? sha256Hex(config.ADMIN_BOOTSTRAP_TOKEN) : undefined;
  }

  /** The key's principal, or null for an unknown, revoked, expired or retired key (and records its use). */
  async principalOf(key: string): Promise<ApiKeyPrincipal | null> {
    if (key.length > 256) return null;
    const hash = sha256Hex(key);
    if (this.bootstrapHash && safeEqual(hash, this.bootstrapHash)) {
      if (await this.keys.existsWithHash(hash)) return null;
      return { keyId: 'bootstrap', name: 'bootstrap', role: 'admin', stores: '*' };
    }
    const record = await this.keys.findActiveByHash(hash);
    if (!record) return null;
    await this.keys.touchLastUsed(record.id);
    return { keyId: record.id, name: record.name, role: record.role, stores: record.stores };
  }
}
