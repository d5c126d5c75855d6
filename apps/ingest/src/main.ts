import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { bootstrapApp } from '@xero-sync/observability';
import { IngestModule } from './ingest.module';
import { rawJsonBody, streamedNdjsonBody } from './webhooks/raw-body.middleware';

/**
 * Boots ingest and listens on INGEST_PORT. Exported so e2e tests and the benchmark start the real app. The
 * body middlewares are installed before Nest's JSON parser: webhooks need their exact bytes for the
 * signature, and backfill uploads are streamed, never buffered.
 */
export function startIngest(): Promise<INestApplication> {
  return bootstrapApp({
    name: 'ingest',
    require: ['TOKEN_ENCRYPTION_KEY'],
    module: (c) => IngestModule.forRoot(c),
    port: (c) => c.INGEST_PORT,
    configure: (app) => {
      app.use('/v1/stores/:storeId/events', rawJsonBody());
      app.use('/v1/stores/:storeId/backfill', streamedNdjsonBody());
    },
  });
}

if (require.main === module) void startIngest();
