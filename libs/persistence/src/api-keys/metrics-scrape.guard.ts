import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { MetricsController } from '@xero-sync/observability';
import { mayScrapeMetrics, presentedApiKey } from './api-key-access';
import { ApiKeyAuthQueries } from './api-key-auth.queries';

/**
 * The scrape credential on an app whose other routes authenticate otherwise (ingest: store signatures; the syncer:
 * only /health besides): `/metrics` (libs/observability's MetricsController) answers 401 without a valid key and 403
 * to a key that may not scrape (mayScrapeMetrics); every other route passes untouched. Registered as an app guard.
 */
@Injectable()
export class MetricsScrapeGuard implements CanActivate {
  constructor(private readonly auth: ApiKeyAuthQueries) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getClass() !== MetricsController) return true;
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const key = presentedApiKey(req.headers);
    const principal = key ? await this.auth.principalOf(key) : null;
    if (!principal) {
      throw new HttpException(
        {
          statusCode: 401,
          error: 'Unauthorized',
          message: key ? 'API key is not valid' : 'an API key is required (Authorization: Bearer <key> or X-Api-Key)',
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    if (!mayScrapeMetrics(principal)) {
      throw new HttpException(
        {
          statusCode: 403,
          error: 'Forbidden',
          message: 'scraping needs a metrics key, or an admin key that sees every store',
        },
        HttpStatus.FORBIDDEN,
      );
    }
    return true;
  }
}
