import { SetMetadata } from '@nestjs/common';
import type { ApiKeyRole, ApiKeyStores } from '@xero-sync/persistence';

/** Who made a request: the key's id and name (or "bootstrap"), its role and the stores it may see. */
export interface Principal {
  keyId: string;
  name: string;
  role: ApiKeyRole;
  stores: ApiKeyStores;
}

/** The role order every app applies (libs/persistence). */
export { roleAllows } from '@xero-sync/persistence';

export const ROLE_KEY = 'xero-sync:required-role';
export const PUBLIC_KEY = 'xero-sync:public';

/** The least role a route needs (on a controller or a handler; the handler's wins). */
export const RequireRole = (role: ApiKeyRole) => SetMetadata(ROLE_KEY, role);
/** A route that needs no key (only the health probe and the OAuth callback). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
