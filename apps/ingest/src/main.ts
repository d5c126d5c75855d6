import 'reflect-metadata';
import { bootstrapApp } from '@xero-sync/observability';
import { IngestModule } from './ingest.module';

void bootstrapApp({ name: 'ingest', module: (c) => IngestModule.forRoot(c), port: (c) => c.INGEST_PORT });
