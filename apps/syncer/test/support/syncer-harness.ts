import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import mongoose, { Connection } from 'mongoose';
import { loadConfig } from '@xero-sync/config';
import { EntityChangeEvent, EVENT_HEADERS, topics, XeroSyncCommand } from '@xero-sync/contracts';
import { ensureTopics } from '@xero-sync/messaging';
import { eventually, repoRoot, TEST_BROKERS, testMongoUri, uniqueSuffix } from '@xero-sync/testing';
import { RunningSandbox, startSandbox } from '@xero-sync/xero-sandbox';
import { ConfigModule } from '@xero-sync/config';
import {
  PersistenceModule,
  RotatedSecret,
  StoreModule,
  StoreRepository,
  StoreSettingsRepository,
} from '@xero-sync/persistence';
import { hmacSha256Hex, signedRecordHeaders } from '@xero-sync/security';
import { IngestModule } from '../../../ingest/src/ingest.module';
import { configureIngestHttp, ingestHttpAdapter } from '../../../ingest/src/ingest-http';
import { XeroConnectionService, XeroConsentService, XeroModule } from '@xero-sync/xero';
import { Module } from '@nestjs/common';
import { SyncerModule } from '../../src/syncer.module';
import { configureSyncerHttp } from '../../src/syncer-http';

/** Everything one syncer test run shares: its own topics, database, group ids, sandbox and Xero app. */
export interface SyncerTestEnv {
  id: string;
  prefix: string;
  groupPrefix: string;
  mongoUri: string;
  sandbox: RunningSandbox;
  kafka: Kafka;
  producer: Producer;
  db: Connection;
  clientId: string;
  clientSecret: string;
  /** Environment for a syncer (in-process or child) of this run. */
  env: Record<string, string>;
  /** Webhook secrets of the stores registered with registerWebhookStore: publishEvents signs their events. */
  secrets: Map<string, string>;
}

export async function setupSyncerEnv(
  opts: { timeScale?: number; extraEnv?: Record<string, string> } = {},
): Promise<SyncerTestEnv> {
  const id = uniqueSuffix();
  const prefix = `t-${id}-`;
  const mongoUri = testMongoUri(`t_syncer_${id}`);
  const sandbox = await startSandbox({ port: 0, timeScale: opts.timeScale ?? 60 });
  const clientId = `client-${id}`;
  const clientSecret = randomBytes(24).toString('hex');
  await sandboxPost(sandbox, '/clients', { clientId, clientSecret, redirectUris: ['http://127.0.0.1/callback'] });
  const kafka = new Kafka({ clientId: `syncer-test-${id}`, brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  // The broker and database are shared with other suites, some of which restart them: wait for them.
  await eventually(
    async () => {
      await ensureTopics(kafka, [
        ...topics.allEntityChanged(prefix).map((topic) => ({ topic, numPartitions: 6 })),
        { topic: topics.deadLetters(prefix), numPartitions: 6 },
        { topic: topics.commands(prefix), numPartitions: 6 },
      ]);
      await producer.connect();
      return true;
    },
    180000,
    1000,
  );
  const db = await eventually(() => mongoose.createConnection(mongoUri).asPromise(), 180000, 1000);
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.SYNCER_TEST_LOG_LEVEL ?? 'warn',
    KAFKA_BROKERS: TEST_BROKERS.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_TOPIC_PARTITIONS: '6',
    KAFKA_GROUP_PREFIX: `t-${id}`,
    MONGODB_URI: mongoUri,
    XERO_API_URL: `${sandbox.url}/api.xro/2.0`,
    XERO_IDENTITY_URL: sandbox.url,
    XERO_CONNECTIONS_URL: `${sandbox.url}/connections`,
    XERO_LOGIN_URL: sandbox.url,
    XERO_CLIENT_ID: clientId,
    XERO_CLIENT_SECRET: clientSecret,
    XERO_REDIRECT_URI: 'http://127.0.0.1/callback',
    XERO_MINUTE_MS: String(Math.round(60000 / (opts.timeScale ?? 60))),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    // An admin key every app of the run honours; the syncer's /metrics needs it (or a metrics key).
    ADMIN_BOOTSTRAP_TOKEN: randomBytes(24).toString('base64url'),
    SYNCER_PORT: '0',
    // The stand-in Magento listens on 127.0.0.1 over http: a development setting of the outbound policy.
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW_PRIVATE: 'true',
    SYNCER_FLUSH_TICK_MS: '200',
    SYNCER_INTERVAL_MINUTE_MS: '1000',
    SYNCER_FLUSH_LEASE_MS: '3000',
    SYNCER_CLAIM_LEASE_MS: '8000',
    SYNCER_RETRY_BASE_MS: '300',
    SYNCER_RETRY_MAX_MS: '5000',
    SYNCER_DELIVERY_TIMEOUT_MS: '30000',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    // Most suites publish events of stores they never register (no webhook secret to sign with); the syncer takes
    // them as it takes an older ingest's during an upgrade. syncer.e2e-spec.ts runs strict and signs.
    SYNCER_ACCEPT_UNSIGNED_EVENTS: 'true',
    ...opts.extraEnv,
  };
  return {
    id,
    prefix,
    groupPrefix: env.KAFKA_GROUP_PREFIX,
    mongoUri,
    sandbox,
    kafka,
    producer,
    db,
    clientId,
    clientSecret,
    env,
    secrets: new Map(),
  };
}

export async function teardownSyncerEnv(t: SyncerTestEnv | undefined): Promise<void> {
  if (!t) return;
  await t.producer.disconnect().catch(() => undefined);
  const admin = t.kafka.admin();
  await admin.connect().catch(() => undefined);
  const all = await admin.listTopics().catch(() => [] as string[]);
  await admin.deleteTopics({ topics: all.filter((x) => x.startsWith(t.prefix)) }).catch(() => undefined);
  await admin.disconnect().catch(() => undefined);
  await t.db.dropDatabase().catch(() => undefined);
  await t.db.close().catch(() => undefined);
  await t.sandbox.close();
}

/** A syncer booted in this process (the real SyncerModule), listening on an ephemeral port. */
export async function bootSyncer(
  t: SyncerTestEnv,
  instanceId = `in-${randomUUID().slice(0, 8)}`,
): Promise<{ app: INestApplication; url: string }> {
  const config = loadConfig({ require: ['TOKEN_ENCRYPTION_KEY'] }, { ...t.env, SYNCER_INSTANCE_ID: instanceId });
  const app = await NestFactory.create(SyncerModule.forRoot(config), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  app.enableShutdownHooks();
  configureSyncerHttp(app);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  return { app, url: url.replace('[::1]', '127.0.0.1') };
}

/** Builds the apps once per test run (the crash test runs the built syncer as child processes). */
export function buildOnce(): void {
  const marker = join(repoRoot, 'dist/apps/syncer/src/main.js');
  if (process.env.SYNCER_TEST_SKIP_BUILD === '1' && existsSync(marker)) return;
  // tsc emits even when another area has type errors; tsc-alias then rewrites the path aliases.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'ignore' });
  const alias = spawnSync('npx', ['tsc-alias', '-p', 'tsconfig.build.json'], { cwd: repoRoot, encoding: 'utf8' });
  if (alias.status !== 0 || !existsSync(marker)) throw new Error(`build failed: ${alias.stderr}`);
}

/** The BUILT syncer as a child process (`node dist/apps/syncer/src/main.js`). */
export function spawnSyncer(t: SyncerTestEnv, instanceId: string): ChildProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'dist/apps/syncer/src/main.js')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...t.env,
      SYNCER_INSTANCE_ID: instanceId,
      LOG_LEVEL: process.env.SYNCER_TEST_LOG_LEVEL ?? 'error',
    },
    stdio: ['ignore', process.env.SYNCER_TEST_VERBOSE ? 'pipe' : 'ignore', 'pipe'],
  });
  const echo = (d: Buffer) => {
    if (process.env.SYNCER_TEST_VERBOSE) process.stderr.write(`[${instanceId}] ${d.toString()}`);
  };
  child.stdout?.on('data', echo);
  child.stderr?.on('data', echo);
  return child;
}

export function waitForExit(child: ChildProcess, timeoutMs = 30000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`process ${child.pid} did not exit in ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/**
 * Publishes envelopes the way ingest does: key = store id, correlation and event id headers, and the store's
 * signature when the store was registered with registerWebhookStore.
 */
export async function publishEvents(t: SyncerTestEnv, events: EntityChangeEvent[], chunk = 500): Promise<void> {
  for (let i = 0; i < events.length; i += chunk) {
    const slice = events.slice(i, i + chunk);
    const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
    for (const e of slice) {
      const topic = topics.entityChanged(e.entity, t.prefix);
      const list = byTopic.get(topic) ?? [];
      const value = JSON.stringify(e);
      const secret = t.secrets.get(e.storeId);
      list.push({
        key: e.storeId,
        value,
        headers: {
          [EVENT_HEADERS.correlationId]: `corr-${e.eventId}`,
          [EVENT_HEADERS.eventId]: e.eventId,
          ...(secret ? signedRecordHeaders(secret, Math.floor(Date.now() / 1000), value) : {}),
        },
      });
      byTopic.set(topic, list);
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    // Retried while the shared broker restarts; a resend can only duplicate, which the syncer tolerates.
    await eventually(
      async () => {
        await t.producer.connect();
        await t.producer.sendBatch({ acks: -1, topicMessages });
        return true;
      },
      180000,
      1000,
    );
  }
}

export async function publishRaw(
  t: SyncerTestEnv,
  topic: string,
  key: string,
  value: string | Buffer,
  headers: Record<string, string> = {},
): Promise<void> {
  await t.producer.send({ topic, acks: -1, messages: [{ key, value, headers }] });
}

export async function sendCommand(
  t: SyncerTestEnv,
  command: Omit<XeroSyncCommand, 'commandId' | 'requestedAt'> & Record<string, unknown>,
): Promise<void> {
  const full = { commandId: randomUUID(), requestedAt: new Date().toISOString(), ...command };
  await publishRaw(t, topics.commands(t.prefix), command.storeId, JSON.stringify(full));
}

/** Reads every message of a topic from the beginning until `until` holds. */
export async function readTopic(
  t: SyncerTestEnv,
  topic: string,
  until: (msgs: { key: string | null; value: Buffer | null; headers: Record<string, string> }[]) => boolean,
  timeoutMs = 30000,
) {
  const got: { key: string | null; value: Buffer | null; headers: Record<string, string> }[] = [];
  const consumer: Consumer = t.kafka.consumer({ groupId: `reader-${uniqueSuffix()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      got.push({ key: message.key?.toString() ?? null, value: message.value, headers });
    },
  });
  try {
    await eventually(async () => until(got), timeoutMs);
    return got;
  } finally {
    await consumer.disconnect();
  }
}

export async function sandboxPost<T = unknown>(sandbox: RunningSandbox, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${sandbox.url}/__sandbox${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function sandboxGet<T = unknown>(sandbox: RunningSandbox, path: string): Promise<T> {
  const res = await fetch(`${sandbox.url}/__sandbox${path}`);
  if (!res.ok) throw new Error(`sandbox GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function sandboxDelete(sandbox: RunningSandbox, path: string): Promise<void> {
  await fetch(`${sandbox.url}/__sandbox${path}`, { method: 'DELETE' });
}

export interface OrgDump {
  contacts: Record<string, unknown>[];
  items: Record<string, unknown>[];
  invoices: Record<string, unknown>[];
  payments: Record<string, unknown>[];
  creditNotes: Record<string, unknown>[];
  allocations: Record<string, unknown>[];
}

export const dumpOf = (t: SyncerTestEnv, tenantId: string) => sandboxGet<OrgDump>(t.sandbox, `/orgs/${tenantId}/dump`);
export const countersOf = (t: SyncerTestEnv, tenantId?: string) =>
  sandboxGet<{
    total: number;
    byEndpoint: Record<string, number>;
    byStatus: Record<string, number>;
    http429: number;
    elements: Record<string, number>;
    elementsPerCall: Record<string, Record<string, number>>;
  }>(t.sandbox, `/counters${tenantId ? `?tenantId=${tenantId}` : ''}`);

/** Rows the syncer wrote, read straight from its collections. */
export const collection = (
  t: SyncerTestEnv,
  name: 'sync_log' | 'pending_changes' | 'record_copies' | 'dlq_messages' | 'leases',
) => t.db.collection(name);

/**
 * How many records of a store the syncer holds matching `filter`: open items in `pending_changes` and synced ones,
 * which leave the queue for `record_copies` (a copy counts as `synced`). A record with newer content still open
 * counts twice.
 */
export async function countRecords(
  t: SyncerTestEnv,
  storeId: string,
  filter: { status?: string; entity?: string } = {},
): Promise<number> {
  const { status, ...rest } = filter;
  const queued = await collection(t, 'pending_changes').countDocuments({ storeId, ...filter });
  const synced = !status || status === 'synced';
  return queued + (synced ? await collection(t, 'record_copies').countDocuments({ storeId, ...rest }) : 0);
}

/** A record's queue item, else its synced copy (as `status: 'synced'`), else null. */
export async function findRecord(
  t: SyncerTestEnv,
  filter: { storeId: string; entity: string; entityId?: string },
): Promise<Record<string, unknown> | null> {
  const open = await collection(t, 'pending_changes').findOne(filter);
  if (open) return open;
  const copy = await collection(t, 'record_copies').findOne(filter);
  return copy ? { ...copy, status: 'synced' } : null;
}

/**
 * Creates a sandbox org for `storeId`, connects it through libs/xero's real custom-connection flow, binds the
 * store to it and saves its sync mode, exactly as an administrator would through admin-api. Returns the tenant id.
 */
export async function connectStore(
  t: SyncerTestEnv,
  storeId: string,
  sync: { mode: 'immediate' | 'cron'; cronIntervalMinutes?: number; waitHorizonMinutes?: number },
): Promise<string> {
  const org = await sandboxPost<{ tenantId: string }>(t.sandbox, '/orgs', {
    name: `Org of ${storeId} ${t.id}`,
    currencies: ['USD', 'AUD'],
  });
  const clientId = `cc-${storeId}-${t.id}`;
  const clientSecret = randomBytes(24).toString('hex');
  await sandboxPost(t.sandbox, '/custom-connections', { clientId, clientSecret, tenantId: org.tenantId });
  const ctx = await xeroContext(t);
  try {
    await ctx.get(XeroConsentService).connectCustom(clientId, clientSecret);
    await ctx.get(XeroConnectionService).bindStore(storeId, org.tenantId, 'syncer-e2e');
    const settings = ctx.get(StoreSettingsRepository);
    const current = await settings.get(storeId);
    await settings.save(
      {
        ...current,
        mode: sync.mode,
        cronIntervalMinutes: sync.cronIntervalMinutes ?? current.cronIntervalMinutes,
        waitHorizonMinutes: sync.waitHorizonMinutes ?? current.waitHorizonMinutes,
      },
      'syncer-e2e',
    );
  } finally {
    await ctx.close();
  }
  return org.tenantId;
}

/** The real ingest app in this process, publishing to this run's topics. */
export async function bootIngest(t: SyncerTestEnv): Promise<{ app: INestApplication; url: string }> {
  const config = loadConfig({ require: ['TOKEN_ENCRYPTION_KEY'] }, { ...t.env, INGEST_PORT: '0' });
  const app = await NestFactory.create<NestFastifyApplication>(IngestModule.forRoot(config), ingestHttpAdapter(), {
    logger: ['error', 'warn'],
    abortOnError: false,
    bodyParser: false,
  });
  app.enableShutdownHooks();
  // As ingest's main.ts: raw bytes for the signature check.
  configureIngestHttp(app);
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/** Registers a store with ingest (as admin-api does) and returns its webhook secret. */
export async function registerWebhookStore(t: SyncerTestEnv, storeId: string): Promise<string> {
  const { webhookSecret } = await withStores(t, (stores) => stores.create({ storeId, name: `Store ${storeId}` }));
  t.secrets.set(storeId, webhookSecret);
  return webhookSecret;
}

/** Rotates a registered store's webhook secret as admin-api does (the replaced one kept for `keepPreviousMs`). */
export async function rotateWebhookSecret(
  t: SyncerTestEnv,
  storeId: string,
  keepPreviousMs: number,
): Promise<RotatedSecret> {
  const rotated = await withStores(t, (stores) => stores.rotateSecret(storeId, keepPreviousMs));
  if (!rotated) throw new Error(`no store ${storeId} to rotate`);
  t.secrets.set(storeId, rotated.webhookSecret);
  return rotated;
}

/** Runs `work` with a StoreRepository on the environment's database (its own short-lived Nest context). */
async function withStores<R>(t: SyncerTestEnv, work: (stores: StoreRepository) => Promise<R>): Promise<R> {
  const config = loadConfig({}, { ...t.env });
  @Module({
    imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(), StoreModule],
  })
  class StoresContext {}
  const ctx = await NestFactory.createApplicationContext(StoresContext, { logger: ['error'], abortOnError: false });
  try {
    return await work(ctx.get(StoreRepository));
  } finally {
    await ctx.close();
  }
}

/** Sends events as a store's signed webhook (signature: docs/conventions.md); resolves with the HTTP status. */
export async function postSignedWebhook(
  ingestUrl: string,
  storeId: string,
  secret: string,
  events: EntityChangeEvent[],
  correlationId?: string,
): Promise<number> {
  const body = JSON.stringify({
    events: events.map((e) => ({
      eventId: e.eventId,
      entity: e.entity,
      entityId: e.entityId,
      occurredAt: e.occurredAt,
      payload: e.payload,
    })),
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await fetch(`${ingestUrl}/v1/stores/${storeId}/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-store-timestamp': timestamp,
      'x-store-signature': `sha256=${hmacSha256Hex(secret, `${timestamp}.${body}`)}`,
      ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
    },
    body,
  });
  if (res.status !== 202) throw new Error(`webhook refused: ${res.status} ${await res.text()}`);
  return res.status;
}

/** A Nest context with libs/xero and this run's config (what admin-api has): connections, settings, delivery. */
export async function xeroContext(t: SyncerTestEnv) {
  const config = loadConfig({}, { ...t.env, SYNCER_INSTANCE_ID: `admin-${t.id}` });
  @Module({ imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(), XeroModule.forRoot()] })
  class XeroContext {}
  return NestFactory.createApplicationContext(XeroContext, { logger: ['error'], abortOnError: false });
}
