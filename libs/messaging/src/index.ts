export { createKafka, KafkaClientOptions } from './kafka.client';
export { BrokerUnavailableError } from './messaging.errors';
export { ensureTopics, deleteTopics, TopicSpec } from './topic-admin';
export { EventPublisher, EventPublisherOptions, OutgoingMessage } from './event-publisher';
export { ConsumerHost, ConsumerHostOptions, IncomingMessage, MessageHandler } from './consumer-host';
export { KafkaHealthIndicator } from './kafka-health.indicator';
export { KAFKA } from './messaging.tokens';
export { MessagingModule } from './messaging.module';
/** Re-exported type so apps can type the injected client without importing kafkajs. */
export type { Kafka } from 'kafkajs';
