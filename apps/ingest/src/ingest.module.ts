import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@xero-sync/config';
import { KafkaHealthIndicator, MessagingModule } from '@xero-sync/messaging';
import { HealthModule, LoggingModule } from '@xero-sync/observability';
import { MongoHealthIndicator, PersistenceModule } from '@xero-sync/persistence';

/** Ingest: signed store webhooks and backfills in, entity-change events out to Kafka. */
@Module({})
export class IngestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({ app: 'ingest', level: config.LOG_LEVEL }),
        MessagingModule.forRoot('xero-sync-ingest'),
        PersistenceModule.forRoot(),
        HealthModule.forRoot({ checks: [KafkaHealthIndicator, MongoHealthIndicator] }),
      ],
    };
  }
}
