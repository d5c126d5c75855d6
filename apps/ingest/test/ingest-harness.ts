import { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import type { Connection } from 'mongoose';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ENTITIES, topics } from '@xero-sync/contracts';
import { StoreRepository } from '@xero-sync/persistence';
import { signStoreBody, signUpload } from '@xero-sync/security';
import { startIngest } from '../src/main';

/** A record read back from Kafka by the test's own consumer. */
export interface Published {
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  value: string;
}

/** Headers a store sends: HMAC-SHA256 of `<timestamp>.<body>` with its secret. */
export function signedHeaders(secret: string, body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)) {
  return { 'X-Store-Timestamp': String(timestamp), 'X-Store-Signature': signStoreBody(secret, timestamp, body) };
}

/** Headers of an NDJSON upload: the body's SHA-256 and length, signed with the timestamp (docs/ingest.md). */
export function signedUploadHeaders(secret: string, body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)) {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const length = Buffer.byteLength(body);
  return {
    'X-Store-Timestamp': String(timestamp),
    'X-Content-SHA256': sha256,
    'X-Content-Length': String(length),
    'X-Store-Signature': signUpload(secret, timestamp, sha256, length),
  };
}

/**
 * Boots the real ingest app on a free port against the shared Kafka and FerretDB, with its own topic prefix,
 * consumer group prefix and database, and one registered store. `stop()` removes everything it created.
 */
export async function startIngestHarness(env: Record<string, string> = {}) {
  const run = randomBytes(4).toString('hex');
  const prefix = `t-${run}-`;
  const dbName = `t_ingest_${run}`;
  Object.assign(process.env, {
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_GROUP_PREFIX: `t-${run}`,
    KAFKA_TOPIC_PARTITIONS: '3',
    MONGODB_URI: `mongodb://127.0.0.1:27017/${dbName}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    INGEST_PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    // The test's Magento stand-ins listen on 127.0.0.1 over plain http.
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW_PRIVATE: 'true',
    ...env,
  });
  const app: INestApplication = await startIngest();
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const stores = app.get(StoreRepository);
  const storeId = `store-${run}`;
  const { webhookSecret } = await stores.create({ storeId, name: 'Test store' });
  const kafka = new Kafka({ clientId: `t-${run}`, brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
  const consumers: Consumer[] = [];

  /** Starts a consumer over every entity topic; `records` fills as messages arrive. */
  async function collect(topicNames = topics.allEntityChanged(prefix)) {
    const consumer = kafka.consumer({ groupId: `t-${run}-reader-${randomUUID()}` });
    consumers.push(consumer);
    const records: Published[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: topicNames, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        records.push({ topic, key: message.key?.toString() ?? null, headers, value: message.value?.toString() ?? '' });
      },
    });
    return records;
  }

  /** Waits until `predicate` holds (polling), or fails after `timeoutMs`. */
  async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition') {
    const until = Date.now() + timeoutMs;
    while (!(await predicate())) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stop() {
    for (const c of consumers) await c.disconnect().catch(() => undefined);
    const connection = app.get<Connection>(getConnectionToken());
    await connection.dropDatabase().catch(() => undefined);
    await app.close();
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  }

  return {
    app,
    url,
    prefix,
    storeId,
    secret: webhookSecret,
    stores,
    kafka,
    collect,
    waitFor,
    stop,
    entities: ENTITIES,
  };
}

export type IngestHarness = Awaited<ReturnType<typeof startIngestHarness>>;

/** Valid Magento-shaped payloads, one per entity, keyed by an id. */
export const samplePayloads = {
  customer: (id: number) => ({ id, email: `c${id}@example.com`, firstname: 'Ana', lastname: 'Lee', addresses: [] }),
  product: (id: number) => ({
    id,
    sku: `SKU-${id}`,
    name: `Product ${id}`,
    price: 10 + id,
    type_id: 'simple',
    status: 1,
  }),
  order: (id: number) => ({
    entity_id: id,
    increment_id: String(100000000 + id),
    state: 'processing',
    created_at: '2026-11-20 10:00:00',
    customer_id: 7,
    customer_email: 'ana@example.com',
    order_currency_code: 'NZD',
    subtotal: 20,
    tax_amount: 3,
    shipping_amount: 5,
    grand_total: 28,
    items: [{ item_id: 1, sku: 'TEE-1', name: 'Tee', qty_ordered: 2, price: 10, row_total: 20, tax_percent: 15 }],
  }),
  invoice: (id: number) => ({
    entity_id: id,
    increment_id: String(200000000 + id),
    order_id: 1,
    created_at: '2026-11-20 10:00:00',
    grand_total: 28,
    items: [{ order_item_id: 1, sku: 'TEE-1', qty: 2, price: 10, row_total: 20 }],
  }),
  creditmemo: (id: number) => ({
    entity_id: id,
    increment_id: String(300000000 + id),
    order_id: 1,
    created_at: '2026-11-21 10:00:00',
    grand_total: 10,
    items: [{ order_item_id: 1, sku: 'TEE-1', qty: 1, price: 10, row_total: 10 }],
  }),
};
