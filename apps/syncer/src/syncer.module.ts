import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig, ConfigModule } from '@xero-sync/config';
import { KafkaHealthIndicator, MessagingModule } from '@xero-sync/messaging';
import { HealthModule, LoggingModule } from '@xero-sync/observability';
import { ApiKeyModule, MetricsScrapeGuard, MongoHealthIndicator, PersistenceModule } from '@xero-sync/persistence';
import { XeroBindingsModule } from './delivery/xero-bindings.module';
import { XeroBreakerIndicator } from './metrics/xero-breaker.indicator';
import { SyncerCoreModule } from './syncer-core.module';

/** Syncer: consumes entity changes and writes them to Xero; HTTP only for /health and /metrics (with the scrape credential). */
@Module({})
export class SyncerModule {
  static forRoot(config: AppConfig): DynamicModule {
    const core = SyncerCoreModule.forRoot(XeroBindingsModule.forRoot());
    return {
      module: SyncerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({ app: 'syncer', level: config.LOG_LEVEL }),
        MessagingModule.forRoot({ clientId: `xero-sync-syncer-${config.SYNCER_INSTANCE_ID}` }),
        PersistenceModule.forRoot(),
        core,
        ApiKeyModule,
        HealthModule.forRoot({ checks: [KafkaHealthIndicator, MongoHealthIndicator, XeroBreakerIndicator] }),
      ],
      // /metrics needs the scrape credential, as on every app (/health stays open for probes).
      providers: [{ provide: APP_GUARD, useExisting: MetricsScrapeGuard }],
    };
  }
}
