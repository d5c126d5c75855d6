import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { MetricsController } from '@xero-sync/observability';
import { presentedApiKey, type ApiKeyRole } from '@xero-sync/persistence';
import { AuthenticateKeyUseCase } from './authenticate-key.usecase';
import { AuthFailureLimiter } from './auth-failure.limiter';
import { Principal, PUBLIC_KEY, ROLE_KEY, roleAllows } from './roles';

export type AuthenticatedRequest = Request & { principal?: Principal };

/** The health probe must answer without a key (load balancers and orchestrators have none). */
const PUBLIC_PATHS = new Set(['/health']);

/** Reads the key from `Authorization: Bearer <key>` or `X-Api-Key`. */
export function presentedKey(req: Request): string | undefined {
  return presentedApiKey(req.headers);
}

/**
 * Every route needs a valid key (401 without one) whose role is at least the route's (403 otherwise); the
 * Prometheus scrape (`/metrics`, from libs/observability) needs the `metrics` role, and a metrics key may call
 * nothing else. Addresses with too many failed attempts get 429 with Retry-After before the key is even looked
 * at; the address is Express's `req.ip`, the socket's peer unless TRUST_PROXY names proxies to believe.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticate: AuthenticateKeyUseCase,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) || PUBLIC_PATHS.has(req.path)) return true;

    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const blockedMs = this.limiter.blockedForMs(address);
    if (blockedMs > 0) {
      const res = context.switchToHttp().getResponse<{ setHeader(n: string, v: string): void }>();
      res.setHeader('Retry-After', String(Math.ceil(blockedMs / 1000)));
      throw new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          message: 'too many failed authentication attempts; retry later',
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }

    const key = presentedKey(req);
    const principal = key ? await this.authenticate.execute(key) : null;
    if (!principal) {
      this.limiter.recordFailure(address);
      throw new HttpException(
        {
          statusCode: 401,
          error: 'Unauthorized',
          message: key ? 'API key is not valid' : 'an API key is required (Authorization: Bearer <key> or X-Api-Key)',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    req.principal = principal;

    const needed =
      context.getClass() === MetricsController
        ? 'metrics'
        : (this.reflector.getAllAndOverride<ApiKeyRole>(ROLE_KEY, targets) ?? 'admin');
    if (!roleAllows(principal.role, needed)) {
      throw new HttpException(
        {
          statusCode: 403,
          error: 'Forbidden',
          message: `this route needs the ${needed} role; the key has ${principal.role}`,
        },
        HttpStatus.FORBIDDEN,
      );
    }
    return true;
  }
}
