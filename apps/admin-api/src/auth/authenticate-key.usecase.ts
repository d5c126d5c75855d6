import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { ApiKeyRepository } from '@xero-sync/persistence';
import { safeEqual, sha256Hex } from '@xero-sync/security';
import { Principal } from './roles';

/**
 * Resolves a presented key to its principal: the bootstrap key (ADMIN_BOOTSTRAP_TOKEN, admin of every store, so
 * a fresh install can create its first keys) unless it was retired, or a stored key that is neither revoked nor
 * expired, compared by SHA-256 hash. A retired bootstrap key is a revoked record with its hash in `api_keys`,
 * so retiring holds across restarts and instances; setting a new ADMIN_BOOTSTRAP_TOKEN brings one back.
 */
@Injectable()
export class AuthenticateKeyUseCase {
  private readonly bootstrapHash: string | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly keys: ApiKeyRepository,
  ) {
    this.bootstrapHash = config.ADMIN_BOOTSTRAP_TOKEN ? sha256Hex(config.ADMIN_BOOTSTRAP_TOKEN) : undefined;
  }

  async execute(key: string): Promise<Principal | null> {
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
