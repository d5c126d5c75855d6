import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './api-key.guard';

/**
 * Requests per API key (@nestjs/throttler, after ApiKeyGuard): one window per key over every route together,
 * so a key's reads cannot spend an org's Xero quota at speed nor crowd out other keys. 429 with Retry-After
 * (seconds) once a key has made ADMIN_RATE_LIMIT requests in ADMIN_RATE_WINDOW_MS. Requests without a
 * principal (health, the OAuth callback) are not counted here; failed authentications have their own limiter.
 */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return !context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return `key:${(req as unknown as AuthenticatedRequest).principal?.keyId ?? 'none'}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }
}
