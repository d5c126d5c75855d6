import { Injectable } from '@nestjs/common';
import { ApiKeyAuthQueries } from '@xero-sync/persistence';
import { Principal } from './roles';

/**
 * Resolves a presented key to its principal with the lookup every app shares (ApiKeyAuthQueries, libs/persistence):
 * the bootstrap key unless retired, or a stored key that is neither revoked nor expired, compared by SHA-256 hash.
 */
@Injectable()
export class AuthenticateKeyUseCase {
  constructor(private readonly auth: ApiKeyAuthQueries) {}

  execute(key: string): Promise<Principal | null> {
    return this.auth.principalOf(key);
  }
}
