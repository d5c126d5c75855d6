import { Injectable } from '@nestjs/common';
import { ApiKeyRecord, ApiKeyRepository, ApiKeyRole } from '@xero-sync/persistence';
import { randomSecret, sha256Hex } from '@xero-sync/security';

/** Creates a key and returns it in clear exactly once; only its SHA-256 is stored. */
@Injectable()
export class CreateApiKeyUseCase {
  constructor(private readonly keys: ApiKeyRepository) {}

  async execute(name: string, role: ApiKeyRole, createdBy: string): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = `xsk_${randomSecret(32)}`;
    const record = await this.keys.insert({ keyHash: sha256Hex(key), prefix: key.slice(0, 10), name, role, createdBy });
    return { key, record };
  }
}
