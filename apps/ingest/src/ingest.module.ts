import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APP_CONFIG, AppConfig, ConfigModule } from '@xero-sync/config';
import { ENTITIES, topics } from '@xero-sync/contracts';
import {
  ensureTopics,
  EventPublisher,
  KAFKA,
  type Kafka,
  KafkaHealthIndicator,
  MessagingModule,
} from '@xero-sync/messaging';
import { HealthModule, LoggingModule } from '@xero-sync/observability';
import {
  BackfillJobRepository,
  backfillJobModel,
  leaseModel,
  LeaseRepository,
  MongoHealthIndicator,
  PersistenceModule,
  StoreRepository,
  storeModel,
} from '@xero-sync/persistence';
import { BackfillController } from './backfill/backfill.controller';
import { ClaimBackfillJobUseCase } from './backfill/claim-backfill-job.usecase';
import { RunMagentoBackfillUseCase } from './backfill/run-magento-backfill.usecase';
import { RunNdjsonBackfillUseCase } from './backfill/run-ndjson-backfill.usecase';
import { StartNdjsonBackfillUseCase } from './backfill/start-ndjson-backfill.usecase';
import { BackfillCommandsConsumer } from './commands/backfill-commands.consumer';
import { IngestErrorsFilter } from './ingest-errors.filter';
import { StoreSecretsQueries } from './stores/store-secrets.queries';
import { PublishEntityChangeUseCase } from './webhooks/publish-entity-change.usecase';
import { ReceiveWebhookUseCase } from './webhooks/receive-webhook.usecase';
import { StoreSignatureGuard } from './webhooks/store-signature.guard';

/** How long a publish waits for others to join its Kafka produce request (Kafka's linger.ms). */
export const INGEST_LINGER_MS = 2;

/** Ingest: signed store webhooks and backfills in, entity-change events out to Kafka. */
@Module({})
export class IngestModule implements OnModuleInit {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly publisher: EventPublisher,
  ) {}

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
        MessagingModule.forRoot('xero-sync-ingest', { lingerMs: INGEST_LINGER_MS }),
        PersistenceModule.forRoot(),
        PersistenceModule.forFeature([storeModel, backfillJobModel, leaseModel]),
        HealthModule.forRoot({ checks: [KafkaHealthIndicator, MongoHealthIndicator] }),
      ],
      controllers: [BackfillController],
      providers: [
        { provide: APP_FILTER, useClass: IngestErrorsFilter },
        StoreRepository,
        BackfillJobRepository,
        LeaseRepository,
        StoreSecretsQueries,
        StoreSignatureGuard,
        PublishEntityChangeUseCase,
        ReceiveWebhookUseCase,
        StartNdjsonBackfillUseCase,
        ClaimBackfillJobUseCase,
        RunNdjsonBackfillUseCase,
        RunMagentoBackfillUseCase,
        BackfillCommandsConsumer,
      ],
    };
  }

  /**
   * Creates every topic ingest writes to or reads (idempotent), then connects the producer. Runs at module init,
   * which Nest completes before any bootstrap hook, so the command consumer never subscribes to a missing topic.
   */
  async onModuleInit(): Promise<void> {
    const prefix = this.config.KAFKA_TOPIC_PREFIX;
    const numPartitions = this.config.KAFKA_TOPIC_PARTITIONS;
    const names = [
      ...ENTITIES.map((e) => topics.entityChanged(e, prefix)),
      topics.deadLetters(prefix),
      topics.commands(prefix),
    ];
    await ensureTopics(
      this.kafka,
      names.map((topic) => ({ topic, numPartitions })),
    );
    await this.publisher.connect(60_000);
  }
}
