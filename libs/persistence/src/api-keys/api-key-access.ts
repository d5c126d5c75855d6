import type { ApiKeyRole, ApiKeyStores } from './api-key.schema';

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

/**
 * The one rule for a Prometheus scrape of any app's `/metrics`: a `metrics` key, or an admin key that sees every
 * store (the series cover every store).
 */
export function mayScrapeMetrics(key: { role: ApiKeyRole; stores: ApiKeyStores }): boolean {
  return roleAllows(key.role, 'metrics') && key.stores === '*';
}

/** The key a request presents: `Authorization: Bearer <key>` or `X-Api-Key` (header names in lower case). */
export function presentedApiKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (match) return match[1];
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}
