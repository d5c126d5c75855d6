import { SetMetadata } from '@nestjs/common';
import type { ApiKeyRole, ApiKeyStores } from '@xero-sync/persistence';

/** Who made a request: the key's id and name (or "bootstrap"), its role and the stores it may see. */
export interface Principal {
  keyId: string;
  name: string;
  role: ApiKeyRole;
  stores: ApiKeyStores;
}

const RANK: Record<Exclude<ApiKeyRole, 'metrics'>, number> = { viewer: 0, operator: 1, admin: 2 };

/**
 * viewer < operator < admin: an admin may do what an operator may, an operator what a viewer may. The
 * `metrics` role stands outside that order: a metrics key may only scrape (`needed` = metrics), which an admin
 * may also do.
 */
export function roleAllows(held: ApiKeyRole, needed: ApiKeyRole): boolean {
  if (needed === 'metrics') return held === 'metrics' || held === 'admin';
  if (held === 'metrics') return false;
  return RANK[held] >= RANK[needed];
}

export const ROLE_KEY = 'xero-sync:required-role';
export const PUBLIC_KEY = 'xero-sync:public';

/** The least role a route needs (on a controller or a handler; the handler's wins). */
export const RequireRole = (role: ApiKeyRole) => SetMetadata(ROLE_KEY, role);
/** A route that needs no key (only the health probe and the OAuth callback). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
