import 'reflect-metadata';
import { bootstrapApp } from '@xero-sync/observability';
import { configureSyncerHttp } from './syncer-http';
import { SyncerModule } from './syncer.module';

void bootstrapApp({
  name: 'syncer',
  require: ['TOKEN_ENCRYPTION_KEY'],
  module: (c) => SyncerModule.forRoot(c),
  port: (c) => c.SYNCER_PORT,
  configure: configureSyncerHttp,
});
