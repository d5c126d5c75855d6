import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { createKafka, kafkaCredentialsOf } from './kafka.client';
import { EventPublisher } from './event-publisher';
import { KafkaConsumers } from './kafka-consumers';
import { KafkaHealthIndicator } from './kafka-health.indicator';
import { MessagingOptions } from './messaging.options';
import { KAFKA, MESSAGING_OPTIONS } from './messaging.tokens';
import { SystemTopics } from './system-topics';

/** Flushes and closes the shared publisher when the app shuts down (SIGTERM). */
@Injectable()
class PublisherLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EventPublisher) private readonly publisher: EventPublisher) {}
  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

/**
 * The app's kafkajs client, one shared idempotent EventPublisher, the Kafka health indicator, the system's
 * topics (SystemTopics: created at start-up) and the app's consumers (KafkaConsumers: features register them,
 * messaging starts and stops them). Apps never create topics or consumer hosts themselves.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      imports: [TerminusModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: KAFKA,
          useFactory: (config: AppConfig): Kafka =>
            createKafka({
              clientId: options.clientId,
              brokers: config.KAFKA_BROKERS,
              sasl: kafkaCredentialsOf(config),
              ssl: config.KAFKA_SSL,
            }),
          inject: [APP_CONFIG],
        },
        {
          provide: EventPublisher,
          useFactory: (kafka: Kafka) => new EventPublisher(kafka, options.publisher ?? {}),
          inject: [KAFKA],
        },
        PublisherLifecycle,
        KafkaHealthIndicator,
        SystemTopics,
        KafkaConsumers,
      ],
      exports: [KAFKA, EventPublisher, KafkaHealthIndicator, SystemTopics, KafkaConsumers],
    };
  }
}
