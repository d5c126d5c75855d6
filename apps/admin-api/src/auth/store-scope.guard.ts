import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { AdminError } from '../http/admin.errors';
import type { AuthenticatedRequest } from './api-key.guard';
import { SCOPE_KEY, ScopeRule, seesStore, storeIdsNamedBy } from './store-scope';

/**
 * Store scope for every route, after ApiKeyGuard: a key that sees every store passes. A key scoped to some
 * stores passes only when
 * - every store id the request names (`:storeId`, `?storeId=`, body `storeId`) is one of its stores, and
 * - the stores the route's resource belongs to (`@StoresFrom`) are all its stores, and
 * - the request names a store, or the route filters its answer by scope itself (`@ScopeFiltered`).
 * A route that does none of that serves every store, and a scoped key gets 403 there: a new route is scoped by
 * default and is opened to scoped keys only by naming its store or declaring how it filters. A store outside
 * the scope answers 404, like a store that does not exist, so scoped keys cannot probe for other stores.
 */
@Injectable()
export class StoreScopeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = req.principal;
    // No principal: a public route (ApiKeyGuard refused every other request without one).
    if (!principal || principal.stores === '*') return true;

    const named = storeIdsNamedBy(req);
    for (const storeId of named) {
      if (typeof storeId !== 'string' || !seesStore(principal, storeId)) {
        throw new AdminError('NOT_FOUND', `no store ${typeof storeId === 'string' ? storeId : '(invalid)'}`);
      }
    }
    const rule = this.reflector.getAllAndOverride<ScopeRule | undefined>(SCOPE_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (rule?.kind === 'resolved') {
      const resolver = this.moduleRef.get(rule.resolver, { strict: false });
      for (const storeId of await resolver.storesOf(req)) {
        if (!seesStore(principal, storeId)) throw new AdminError('NOT_FOUND', 'not found');
      }
      return true;
    }
    if (named.length > 0 || rule?.kind === 'filtered') return true;
    throw new ForbiddenException('this route serves every store: it needs a key that sees all stores');
  }
}
