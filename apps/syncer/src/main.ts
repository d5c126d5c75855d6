import 'reflect-metadata';
import { bootstrapApp, expressHttpMetrics } from '@xero-sync/observability';
import { SyncerModule } from './syncer.module';

void bootstrapApp({
  name: 'syncer',
  require: ['TOKEN_ENCRYPTION_KEY'],
  module: (c) => SyncerModule.forRoot(c),
  port: (c) => c.SYNCER_PORT,
  configure: (app) => void app.use(expressHttpMetrics('syncer')),
});
