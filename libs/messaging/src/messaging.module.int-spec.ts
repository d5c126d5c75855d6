import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';
import { ConfigModule, loadConfig } from '@xero-sync/config';
import { eventually, TEST_BROKERS, uniqueSuffix } from '@xero-sync/testing';
import { IncomingMessage } from './consumer-host';
import { EventPublisher } from './event-publisher';
import { KafkaConsumers } from './kafka-consumers';
import { MessagingModule } from './messaging.module';
import { systemTopicNames } from './system-topics';
import { deleteTopics } from './topic-admin';

// Real broker: an app gets its topics and runs its consumers through MessagingModule alone.
describe('MessagingModule on a real Kafka broker', () => {
  const kafka = new Kafka({ clientId: 'int-test-admin', brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
  const prefix = `t-${uniqueSuffix()}-`;
  const groupId = `g-${uniqueSuffix()}`;
  const seen: IncomingMessage[] = [];

  @Injectable()
  class OrdersConsumer implements OnModuleInit {
    constructor(private readonly consumers: KafkaConsumers) {}
    onModuleInit(): void {
      this.consumers.register({ groupId, topics: [`${prefix}store.order.changed.v1`] }, async (m) => {
        seen.push(m);
      });
    }
  }

  @Module({ providers: [OrdersConsumer] })
  class OrdersModule {}

  afterAll(async () => {
    await deleteTopics(kafka, systemTopicNames(prefix));
  });

  it('creates every topic with KAFKA_TOPIC_PARTITIONS partitions and runs registered consumers', async () => {
    const config = loadConfig(
      {},
      { KAFKA_BROKERS: TEST_BROKERS.join(','), KAFKA_TOPIC_PREFIX: prefix, KAFKA_TOPIC_PARTITIONS: '3' },
    );
    const app = await NestFactory.createApplicationContext(
      {
        module: class TestApp {},
        imports: [ConfigModule.forRoot(config), MessagingModule.forRoot({ clientId: 'int-test' }), OrdersModule],
      },
      { logger: ['error'], abortOnError: false },
    );
    await app.init();
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    try {
      const metadata = await kafkaAdmin.fetchTopicMetadata({ topics: systemTopicNames(prefix) });
      expect(metadata.topics.map((t) => t.name).sort()).toEqual([...systemTopicNames(prefix)].sort());
      for (const t of metadata.topics) expect(t.partitions).toHaveLength(3);
      // Started at bootstrap: the group has joined, so a message published now is consumed.
      await app.get(EventPublisher).publish([{ topic: `${prefix}store.order.changed.v1`, key: 's1', value: 'hello' }]);
      await eventually(async () => seen.some((m) => m.value?.toString() === 'hello'), 30_000);
      await app.close();
      // Closing stopped the consumer after committing what it had handled.
      const offsets = await kafkaAdmin.fetchOffsets({ groupId, topics: [`${prefix}store.order.changed.v1`] });
      const committed = offsets[0].partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
      expect(committed).toBe(1);
    } finally {
      await app.close();
      await kafkaAdmin.disconnect();
    }
  });

  it('refuses a consumer registered after the consumers started', () => {
    const consumers = new KafkaConsumers(kafka, {} as never);
    void consumers.onApplicationBootstrap();
    expect(() => consumers.register({ groupId: 'late', topics: ['x'] }, async () => undefined)).toThrow(
      /registered after the consumers started/,
    );
  });
});
