import type { INestApplication } from '@nestjs/common';
import { expressHttpMetrics } from '@xero-sync/observability';

/** What the syncer sets on its HTTP server (only /health and /metrics): request durations by route. */
export function configureSyncerHttp(app: INestApplication): void {
  app.use(expressHttpMetrics('syncer'));
}
