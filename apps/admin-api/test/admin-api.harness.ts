import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { AddressInfo, createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { AppConfig, loadConfig } from '@xero-sync/config';
import { topics } from '@xero-sync/contracts';
import { deleteTopics } from '@xero-sync/messaging';
import { TEST_BROKERS, testMongoUri, uniqueSuffix } from '@xero-sync/testing';
import { AdminApiModule } from '../src/admin-api.module';
import { configureAdminApi } from '../src/http/configure-app';

export interface AdminApiUnderTest {
  app: INestApplication;
  url: string;
  config: AppConfig;
  /** The ADMIN_BOOTSTRAP_TOKEN (admin role), generated for this run. */
  adminKey: string;
  close(): Promise<void>;
}

/**
 * Boots admin-api for real on an ephemeral port against the local Kafka and FerretDB, with its own database
 * and topic prefix and freshly generated secrets; `close()` stops it and drops what it created.
 */
export async function startAdminApi(env: Record<string, string> = {}): Promise<AdminApiUnderTest> {
  const suffix = uniqueSuffix();
  const adminKey = randomBytes(24).toString('base64url');
  const config = loadConfig(
    { require: ['TOKEN_ENCRYPTION_KEY', 'ADMIN_BOOTSTRAP_TOKEN'] },
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      MONGODB_URI: testMongoUri(`t_admin_${suffix}`),
      KAFKA_TOPIC_PREFIX: `t-${suffix}-`,
      KAFKA_TOPIC_PARTITIONS: '2',
      KAFKA_GROUP_PREFIX: `t-${suffix}`,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      ADMIN_BOOTSTRAP_TOKEN: adminKey,
      ADMIN_API_PORT: '0',
      // The stand-in Magento listens on 127.0.0.1 over http: a development setting of the outbound policy.
      OUTBOUND_ALLOW_HTTP: 'true',
      OUTBOUND_ALLOW_PRIVATE: 'true',
      ...env,
    },
  );
  const app = await NestFactory.create(AdminApiModule.forRoot(config), { logger: false });
  configureAdminApi(app, config);
  app.enableShutdownHooks();
  await app.listen(config.ADMIN_API_PORT, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    adminKey,
    close: async () => {
      await app.close();
      const conn = await mongoose.createConnection(config.MONGODB_URI).asPromise();
      await conn.dropDatabase();
      await conn.close();
      const kafka = new Kafka({ brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
      await deleteTopics(kafka, [topics.commands(config.KAFKA_TOPIC_PREFIX)]);
    },
  };
}

/** Reads every command admin-api published on this run's commands topic (a real kafkajs consumer). */
export async function readCommands(config: AppConfig, count: number, timeoutMs = 20000): Promise<any[]> {
  const kafka = new Kafka({ brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `t-read-${uniqueSuffix()}` });
  const seen: any[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: topics.commands(config.KAFKA_TOPIC_PREFIX), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw ${seen.length} of ${count} commands`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push({ key: message.key?.toString(), ...JSON.parse(message.value!.toString()) });
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** A port free right now, for an admin-api whose URL must be known before it starts (OAuth redirect URI). */
export async function reservePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
