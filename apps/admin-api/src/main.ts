import 'reflect-metadata';
import { bootstrapApp } from '@xero-sync/observability';
import { AdminApiModule } from './admin-api.module';
import { configureAdminApi } from './http/configure-app';

void bootstrapApp({
  name: 'admin-api',
  require: ['TOKEN_ENCRYPTION_KEY', 'ADMIN_BOOTSTRAP_TOKEN'],
  module: (c) => AdminApiModule.forRoot(c),
  port: (c) => c.ADMIN_API_PORT,
  configure: (app, c) => configureAdminApi(app, c),
});
