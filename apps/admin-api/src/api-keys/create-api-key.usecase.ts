import { Injectable } from '@nestjs/common';
import { ApiKeyRecord, ApiKeyRepository, ApiKeyRole, ApiKeyStores } from '@xero-sync/persistence';
import { randomSecret, sha256Hex } from '@xero-sync/security';
import { AdminError } from '../http/admin.errors';

/** What a new key may do: its role, the stores it sees and when it stops working. */
export interface NewKeyGrant {
  name: string;
  role: ApiKeyRole;
  stores: ApiKeyStores;
  expiresAt?: Date;
}

/** Creates a key and returns it in clear exactly once; only its SHA-256 is stored. */
@Injectable()
export class CreateApiKeyUseCase {
  constructor(private readonly keys: ApiKeyRepository) {}

  async execute(
    grant: NewKeyGrant,
    createdBy: string,
    now = new Date(),
  ): Promise<{ key: string; record: ApiKeyRecord }> {
    if (grant.role === 'metrics' && grant.stores !== '*') {
      throw new AdminError('UNPROCESSABLE', 'a metrics key sees every store', [
        { field: 'stores', reason: 'omit stores for the metrics role (the scrape covers every store)' },
      ]);
    }
    if (grant.expiresAt && grant.expiresAt.getTime() <= now.getTime()) {
      throw new AdminError('UNPROCESSABLE', 'expiresAt is in the past', [
        { field: 'expiresAt', reason: 'must be in the future' },
      ]);
    }
    const key = `xsk_${randomSecret(32)}`;
    const record = await this.keys.insert({
      keyHash: sha256Hex(key),
      prefix: key.slice(0, 10),
      name: grant.name,
      role: grant.role,
      stores: grant.stores === '*' ? '*' : [...new Set(grant.stores)].sort(),
      expiresAt: grant.expiresAt,
      createdBy,
    });
    return { key, record };
  }
}
