import { SetMetadata } from '@nestjs/common';
import type { ApiKeyRole } from '@xero-sync/persistence';

/** Who made a request: the key's id and name (or "bootstrap") and its role. */
export interface Principal {
  keyId: string;
  name: string;
  role: ApiKeyRole;
}

const RANK: Record<ApiKeyRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** Roles are ordered: an admin may do what an operator may, an operator what a viewer may. */
export function roleAllows(held: ApiKeyRole, needed: ApiKeyRole): boolean {
  return RANK[held] >= RANK[needed];
}

export const ROLE_KEY = 'xero-sync:required-role';
export const PUBLIC_KEY = 'xero-sync:public';

/** The least role a route needs (on a controller or a handler; the handler's wins). */
export const RequireRole = (role: ApiKeyRole) => SetMetadata(ROLE_KEY, role);
/** A route that needs no key (only the health probe). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
