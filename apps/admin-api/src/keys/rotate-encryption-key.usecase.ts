import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { ResealCount, StoreRepository, XeroConnectionRepository } from '@xero-sync/persistence';
import { SecretBox } from '@xero-sync/security';

/** What a rotation did, per collection, and the key everything is now sealed under. */
export interface RotationReport {
  keyId: string;
  stores: ResealCount;
  xeroConnections: ResealCount;
}

/**
 * Re-seals every store secret and Xero token under TOKEN_ENCRYPTION_KEY, opening old values with the keys of
 * TOKEN_ENCRYPTION_OLD_KEYS (or the current key, for values sealed before key ids). Run after every app has been
 * given the new key and the old ones (so nothing new is sealed under an old key); once it has finished without an
 * error, nothing is left under an old key and TOKEN_ENCRYPTION_OLD_KEYS can be emptied. Safe to run again.
 * @throws Error when a value cannot be opened with any configured key (nothing after it is re-sealed; run again
 * with the missing key among the old ones)
 */
@Injectable()
export class RotateEncryptionKeyUseCase {
  constructor(
    private readonly stores: StoreRepository,
    private readonly connections: XeroConnectionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(): Promise<RotationReport> {
    if (!this.config.TOKEN_ENCRYPTION_KEY) throw new Error('TOKEN_ENCRYPTION_KEY (the new key) is required');
    const box = new SecretBox(this.config.TOKEN_ENCRYPTION_KEY, this.config.TOKEN_ENCRYPTION_OLD_KEYS);
    const reseal = (sealed: string, aad: string) => box.reseal(sealed, aad);
    return {
      keyId: box.currentKeyId,
      stores: await this.stores.resealSecrets(reseal),
      xeroConnections: await this.connections.resealSecrets(reseal),
    };
  }
}
