import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Kafka } from 'kafkajs';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { createKafka } from './kafka.client';
import { EventPublisher, EventPublisherOptions } from './event-publisher';
import { KafkaHealthIndicator } from './kafka-health.indicator';
import { KAFKA } from './messaging.tokens';

/** Flushes and closes the shared publisher when the app shuts down (SIGTERM). */
@Injectable()
class PublisherLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EventPublisher) private readonly publisher: EventPublisher) {}
  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

/**
 * The app's kafkajs client, one shared idempotent EventPublisher, and the Kafka health indicator.
 * Consumers are created by the features that own them (`new ConsumerHost(kafka, …)`), which stop them in
 * their own shutdown hooks.
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(clientId: string, publisher: EventPublisherOptions = {}): DynamicModule {
    return {
      module: MessagingModule,
      imports: [TerminusModule],
      providers: [
        {
          provide: KAFKA,
          useFactory: (config: AppConfig): Kafka => createKafka({ clientId, brokers: config.KAFKA_BROKERS }),
          inject: [APP_CONFIG],
        },
        {
          provide: EventPublisher,
          useFactory: (kafka: Kafka) => new EventPublisher(kafka, publisher),
          inject: [KAFKA],
        },
        PublisherLifecycle,
        KafkaHealthIndicator,
      ],
      exports: [KAFKA, EventPublisher, KafkaHealthIndicator],
    };
  }
}
