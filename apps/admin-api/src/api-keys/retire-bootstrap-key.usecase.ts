import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { ApiKeyRepository, DuplicateKeyError } from '@xero-sync/persistence';
import { sha256Hex } from '@xero-sync/security';
import { AdminError } from '../http/admin.errors';

/**
 * Retires ADMIN_BOOTSTRAP_TOKEN: records it as a revoked key (by hash), after which it no longer authenticates
 * on any instance. Refused while no other active admin key sees every store, so a deployment cannot lock
 * itself out; a new ADMIN_BOOTSTRAP_TOKEN is the way back in if every admin key is lost later.
 */
@Injectable()
export class RetireBootstrapKeyUseCase {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ApiKeyRepository,
  ) {}

  async execute(retiredBy: string): Promise<void> {
    const token = this.config.ADMIN_BOOTSTRAP_TOKEN;
    if (!token) throw new AdminError('NOT_FOUND', 'no bootstrap key is configured');
    if ((await this.keys.countActiveAllStoreAdmins()) === 0) {
      throw new AdminError('CONFLICT', 'create an admin key that sees every store before retiring the bootstrap key');
    }
    const keyHash = sha256Hex(token);
    try {
      await this.keys.insert({
        keyHash,
        prefix: 'bootstrap',
        name: 'bootstrap (retired)',
        role: 'admin',
        stores: '*',
        createdBy: retiredBy,
        revokedAt: new Date(),
      });
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw new AdminError('CONFLICT', 'the bootstrap key is already retired');
      throw err;
    }
  }
}
