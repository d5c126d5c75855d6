import { SetMetadata, Type } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from './roles';

/**
 * Resolves the stores a request's resource belongs to when the request does not name a store itself (a backfill
 * job by its id, say). An empty list means "no such resource": the route answers its own 404.
 */
export interface StoreResolver {
  storesOf(req: Request): Promise<string[]>;
}

/** How a route meets the store scope of keys that do not see every store (read by StoreScopeGuard). */
export type ScopeRule = { kind: 'filtered' } | { kind: 'resolved'; resolver: Type<StoreResolver> };

export const SCOPE_KEY = 'xero-sync:store-scope';

/**
 * The route answers only what the principal's stores may see (it passes `visibleStores(principal)` to its
 * queries), so a store-scoped key may call it without naming a store. Store ids it is given are still checked.
 */
export const ScopeFiltered = () => SetMetadata(SCOPE_KEY, { kind: 'filtered' } satisfies ScopeRule);

/** The route's resource names its store(s) through `resolver`; a store-scoped key must see every one of them. */
export const StoresFrom = (resolver: Type<StoreResolver>) =>
  SetMetadata(SCOPE_KEY, { kind: 'resolved', resolver } satisfies ScopeRule);

/** The stores a principal may see, or undefined when it sees every store. */
export function visibleStores(principal: Principal): string[] | undefined {
  return principal.stores === '*' ? undefined : principal.stores;
}

/** Whether the principal may see this store. */
export function seesStore(principal: Principal, storeId: string): boolean {
  return principal.stores === '*' || principal.stores.includes(storeId);
}

/**
 * Every store id a request names, wherever it is: the `:storeId` path parameter, `storeId` in the query
 * string (once or repeated) and `storeId` in a JSON body. Values that are not strings are returned as
 * themselves so the guard can refuse them.
 */
export function storeIdsNamedBy(req: Request): unknown[] {
  const named: unknown[] = [];
  const params = req.params as Record<string, unknown> | undefined;
  if (params && 'storeId' in params) named.push(params.storeId);
  const query = req.query as Record<string, unknown> | undefined;
  if (query && 'storeId' in query) {
    const value = query.storeId;
    named.push(...(Array.isArray(value) ? (value as unknown[]) : [value]));
  }
  const body: unknown = req.body;
  if (body && typeof body === 'object' && !Array.isArray(body) && 'storeId' in body) {
    named.push((body as Record<string, unknown>).storeId);
  }
  return named;
}
