import { DynamicModule, Module, OnModuleInit } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig, ConfigModule } from '@xero-sync/config';
import { EventPublisher, KafkaHealthIndicator, MessagingModule } from '@xero-sync/messaging';
import { HealthModule, LoggingModule } from '@xero-sync/observability';
import {
  ApiKeyModule,
  BackfillJobModule,
  DlqMessageModule,
  LeaseModule,
  MetricsScrapeGuard,
  MongoHealthIndicator,
  PersistenceModule,
  StoreModule,
  StoreSettingsModule,
  UploadReservationsModule,
} from '@xero-sync/persistence';
import { BackfillController } from './backfill/backfill.controller';
import { ClaimBackfillJobUseCase } from './backfill/claim-backfill-job.usecase';
import { RunMagentoBackfillUseCase } from './backfill/run-magento-backfill.usecase';
import { RunNdjsonBackfillUseCase } from './backfill/run-ndjson-backfill.usecase';
import { SpoolQuota } from './backfill/spool-quota';
import { StartNdjsonBackfillUseCase } from './backfill/start-ndjson-backfill.usecase';
import { BackfillCommandsConsumer } from './commands/backfill-commands.consumer';
import { RequeueDlqUseCase } from './commands/requeue-dlq.usecase';
import { IngestErrorsFilter } from './ingest-errors.filter';
import { StoreSecretsQueries } from './stores/store-secrets.queries';
import { FixedWindowThrottlerStorage, StoreRateLimiter } from './stores/store-rate.limiter';
import { PublishEntityChangeUseCase } from './webhooks/publish-entity-change.usecase';
import { ReceiveWebhookUseCase } from './webhooks/receive-webhook.usecase';
import { StoreSignatureGuard } from './webhooks/store-signature.guard';

/** How long a publish waits for others to join its Kafka produce request (Kafka's linger.ms). */
export const INGEST_LINGER_MS = 2;

/** Ingest: signed store webhooks and backfills in, entity-change events out to Kafka. */
@Module({})
export class IngestModule implements OnModuleInit {
  constructor(private readonly publisher: EventPublisher) {}

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: IngestModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({
          app: 'ingest',
          level: config.LOG_LEVEL,
          successLevel: 'debug',
        }),
        // A webhook waits up to 2 ms for others to share its produce request (ingest benchmark, docs/ingest.md).
        MessagingModule.forRoot({ clientId: 'xero-sync-ingest', publisher: { lingerMs: INGEST_LINGER_MS } }),
        PersistenceModule.forRoot(),
        StoreModule,
        StoreSettingsModule,
        BackfillJobModule,
        DlqMessageModule,
        LeaseModule,
        ApiKeyModule,
        UploadReservationsModule,
        HealthModule.forRoot({ checks: [KafkaHealthIndicator, MongoHealthIndicator] }),
        // Per-store request limits (StoreRateLimiter); the limit and window are the ones in the app's config.
        ThrottlerModule.forRoot({
          throttlers: [{ limit: config.INGEST_STORE_RATE_LIMIT, ttl: config.INGEST_STORE_RATE_WINDOW_MS }],
          storage: new FixedWindowThrottlerStorage(),
        }),
      ],
      controllers: [BackfillController],
      providers: [
        { provide: APP_FILTER, useClass: IngestErrorsFilter },
        // /metrics needs the scrape credential, as on every app; the store routes authenticate by signature.
        { provide: APP_GUARD, useExisting: MetricsScrapeGuard },
        StoreSecretsQueries,
        StoreRateLimiter,
        StoreSignatureGuard,
        PublishEntityChangeUseCase,
        ReceiveWebhookUseCase,
        StartNdjsonBackfillUseCase,
        SpoolQuota,
        ClaimBackfillJobUseCase,
        RunNdjsonBackfillUseCase,
        RunMagentoBackfillUseCase,
        BackfillCommandsConsumer,
        RequeueDlqUseCase,
      ],
    };
  }

  /**
   * Connects the producer before the first webhook can arrive (waiting up to 60 s for a broker that is still
   * starting). The topics exist by then: libs/messaging creates them at its own module init, which Nest runs first.
   */
  async onModuleInit(): Promise<void> {
    await this.publisher.connect(60_000);
  }
}
