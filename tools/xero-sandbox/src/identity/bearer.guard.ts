import type { Request } from 'express';
import { SandboxContext } from '../sandbox-context';
import { Grant } from './identity-store';

/** The caller behind a bearer token, or why there is none. */
export type BearerResult =
  | { ok: true; clientId: string; grant: Grant; tenants: string[] }
  | { ok: false; detail: 'AuthenticationUnsuccessful' | 'TokenExpired' };

/** Resolves `Authorization: Bearer …` against the sandbox's identity store. */
export function resolveBearer(ctx: SandboxContext, req: Request): BearerResult {
  const m = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (!m) return { ok: false, detail: 'AuthenticationUnsuccessful' };
  const r = ctx.identity.resolveAccess(m[1]);
  if (!r.ok) return { ok: false, detail: r.expired ? 'TokenExpired' : 'AuthenticationUnsuccessful' };
  const tenants = ctx.identity.tenantsOf(r.grant).filter((t) => ctx.orgs.has(t));
  return { ok: true, clientId: r.clientId, grant: r.grant, tenants };
}
