import { ExecutionContext, ForbiddenException } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AdminError } from '../http/admin.errors';
import type { Principal } from './roles';
import { StoreScopeGuard } from './store-scope.guard';
import { ScopeFiltered, StoreResolver, StoresFrom } from './store-scope';

class JobStores implements StoreResolver {
  storesOf(req: Request): Promise<string[]> {
    const jobId = (req.params as Record<string, string>).jobId;
    return Promise.resolve(jobId === 'job-a' ? ['a'] : jobId === 'job-b' ? ['b'] : []);
  }
}

class Routes {
  plain(): void {}
  @ScopeFiltered()
  filtered(): void {}
  @StoresFrom(JobStores)
  byJob(): void {}
}

const scoped: Principal = { keyId: 'k1', name: 'a only', role: 'admin', stores: ['a'] };
const everyStore: Principal = { keyId: 'k2', name: 'all', role: 'viewer', stores: '*' };

/** A ModuleRef that knows only the JobStores resolver and fails on anything else. */
const moduleRef = {
  get: (type: unknown) => {
    if (type !== JobStores) throw new Error(`unexpected ModuleRef.get(${String(type)})`);
    return new JobStores();
  },
} as unknown as ModuleRef;

function contextOf(handler: keyof Routes, req: Partial<Request> & { principal?: Principal }): ExecutionContext {
  return {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ params: {}, query: {}, body: undefined, ...req }) }),
  } as unknown as ExecutionContext;
}

describe('StoreScopeGuard', () => {
  const guard = new StoreScopeGuard(new Reflector(), moduleRef);
  const run = (handler: keyof Routes, req: Partial<Request> & { principal?: Principal }) =>
    guard.canActivate(contextOf(handler, req));

  it('lets every request of a key that sees every store and of public routes through', async () => {
    await expect(run('plain', { principal: everyStore, params: { storeId: 'b' } })).resolves.toBe(true);
    await expect(run('plain', {})).resolves.toBe(true);
  });

  it('checks store ids named in the path, the query (also repeated) and the body', async () => {
    await expect(run('plain', { principal: scoped, params: { storeId: 'a' } })).resolves.toBe(true);
    await expect(run('plain', { principal: scoped, params: { storeId: 'b' } })).rejects.toBeInstanceOf(AdminError);
    await expect(run('plain', { principal: scoped, query: { storeId: ['a', 'b'] } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(run('plain', { principal: scoped, body: { storeId: 'b' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(run('plain', { principal: scoped, body: { storeId: { $ne: 'x' } } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('refuses a scoped key on a route that names no store unless the route filters by scope', async () => {
    await expect(run('plain', { principal: scoped })).rejects.toBeInstanceOf(ForbiddenException);
    await expect(run('filtered', { principal: scoped })).resolves.toBe(true);
    await expect(run('filtered', { principal: scoped, query: { storeId: 'b' } })).rejects.toBeInstanceOf(AdminError);
  });

  it('checks the store a resolver finds for the resource, and leaves unknown resources to the route', async () => {
    await expect(run('byJob', { principal: scoped, params: { jobId: 'job-a' } })).resolves.toBe(true);
    await expect(run('byJob', { principal: scoped, params: { jobId: 'job-b' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(run('byJob', { principal: scoped, params: { jobId: 'nope' } })).resolves.toBe(true);
  });
});
