import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './api-key.guard';
import type { Principal } from './roles';

/** The authenticated principal of the request (set by ApiKeyGuard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route the ApiKeyGuard did not authenticate');
  return principal;
});

/** How a principal is named in audit trails and commands. */
export function actorOf(p: Principal): string {
  return p.keyId === 'bootstrap' ? 'bootstrap' : `key:${p.keyId}:${p.name}`;
}
