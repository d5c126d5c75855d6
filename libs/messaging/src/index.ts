export { appAcls, applyAppAcls, AppPrincipals, DEFAULT_APP_PRINCIPALS } from './kafka-acls';
export { createKafka, KafkaClientOptions, KafkaCredentials, kafkaCredentialsOf } from './kafka.client';
export { BrokerUnavailableError } from './messaging.errors';
export { DLQ_HEADERS } from './dlq-headers';
/** Topic administration for tests' own set-up and clean-up; apps get their topics from SystemTopics. */
export { ensureTopics, deleteTopics, TopicSpec } from './topic-admin';
export { SystemTopics, systemTopicNames } from './system-topics';
export { EventPublisher, EventPublisherOptions, OutgoingMessage } from './event-publisher';
export { ConsumerHostOptions, IncomingMessage, MessageHandler } from './consumer-host';
export { KafkaConsumers } from './kafka-consumers';
export { KafkaHealthIndicator } from './kafka-health.indicator';
export { KAFKA } from './messaging.tokens';
export { MessagingModule } from './messaging.module';
export { MessagingOptions } from './messaging.options';
/** Re-exported type so apps can type the injected client without importing kafkajs. */
export type { Kafka } from 'kafkajs';
export { keyReplayRanges, KeyReplayRange, partitionOfKey, readRanges, ReadRangesOptions } from './key-replay';
