import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const url = (fallback: string) => z.url({ protocol: /^https?$/ }).default(fallback);
const flag = () =>
  z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true');
const encryptionKey = (k: string) => /^[0-9a-fA-F]{64}$/.test(k) || Buffer.from(k, 'base64').length === 32;

/**
 * The one environment schema for every app (names fixed in docs/conventions.md). Defaults point at local infra on
 * 127.0.0.1 and at the real Xero; secrets have no defaults and are required by the apps that use them.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) => s.split(',').map((b) => b.trim()))
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  /** Prepended to every topic name; lets a test run or a staging stack use its own topics on a shared broker. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, . _ - only')
    .default(''),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
  /** Consumer group id prefix for the syncer and ingest command consumers. */
  KAFKA_GROUP_PREFIX: z.string().default('xero-sync'),
  /**
   * SASL mechanism of this app's Kafka principal; unset = no authentication (the local PLAINTEXT broker). With it,
   * KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required (each app has its own principal and ACLs).
   */
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  /** TLS to the brokers (SASL_SSL); off for the local and compose brokers (SASL_PLAINTEXT). */
  KAFKA_SSL: flag(),

  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .default('mongodb://127.0.0.1:27017/xero-sync'),
  /**
   * Connections (= operations in flight) per process. FerretDB v1's SQLite backend has 100 connections and an
   * update holds one while waiting for a second: past ~100 concurrent updates over all clients it deadlocks.
   */
  MONGODB_MAX_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),

  XERO_API_URL: url('https://api.xero.com/api.xro/2.0'),
  XERO_IDENTITY_URL: url('https://identity.xero.com'),
  XERO_CONNECTIONS_URL: url('https://api.xero.com/connections'),
  XERO_LOGIN_URL: url('https://login.xero.com'),
  XERO_CLIENT_ID: z.string().min(1).optional(),
  XERO_CLIENT_SECRET: z.string().min(1).optional(),
  XERO_REDIRECT_URI: z.url().optional(),
  /** "granular" (apps created since March 2026) or "broad" (accounting.transactions for older apps). */
  XERO_SCOPE_SET: z.enum(['granular', 'broad']).default('granular'),
  /** Length of Xero's rate-limit "minute" in ms; only tests and benchmarks against a time-scaled sandbox change it. */
  XERO_MINUTE_MS: z.coerce.number().int().min(10).default(60_000),
  /**
   * Most elements one Xero write carries (contacts, items, invoices, payments, credit notes); Xero recommends 50 so a
   * call answers in good time, and limits a call's body to 3.5 MB. Tests set 1 to make every change its own call.
   */
  XERO_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(50),

  /**
   * Outbound requests to store-given URLs (Magento REST): plain http is refused unless OUTBOUND_ALLOW_HTTP, and
   * addresses that are not public (loopback, private, link-local, metadata, CGNAT, unique-local) unless
   * OUTBOUND_ALLOW_PRIVATE. Both are development settings (the demo and tests talk to 127.0.0.1).
   */
  OUTBOUND_ALLOW_HTTP: flag(),
  OUTBOUND_ALLOW_PRIVATE: flag(),

  /** Items per page the ingest Magento 2 REST pull connector requests (searchCriteria[pageSize]). */
  MAGENTO_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),

  /** 32 bytes as 64 hex chars or base64; seals Xero tokens and store secrets at rest (AES-256-GCM). */
  TOKEN_ENCRYPTION_KEY: z.string().refine(encryptionKey, 'must be 32 bytes: 64 hex characters or base64').optional(),
  /**
   * Earlier TOKEN_ENCRYPTION_KEYs, comma-separated: still readable (never used to seal) until `npm run keys:rotate`
   * has re-sealed everything under TOKEN_ENCRYPTION_KEY; then they can be removed.
   */
  TOKEN_ENCRYPTION_OLD_KEYS: z
    .string()
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(z.array(z.string().refine(encryptionKey, 'each key must be 32 bytes: 64 hex characters or base64')))
    .default([]),
  ADMIN_BOOTSTRAP_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /**
   * This process's name as a lease holder and in logs (every app's, not only the syncer's). Unset, loadConfig
   * resolves it to `<hostname>-<pid>`, so AppConfig always carries it.
   */
  SYNCER_INSTANCE_ID: z.string().min(1).optional(),
  /** How often each syncer looks for stores whose queue is due for a flush (ms); tests shorten it. */
  SYNCER_FLUSH_TICK_MS: z.coerce.number().int().min(20).default(5000),
  /** Length of one "minute" of a store's Cron Job interval (ms); tests and benchmarks shrink it. */
  SYNCER_INTERVAL_MINUTE_MS: z.coerce.number().int().min(1).default(60_000),
  /**
   * Queue items handed to Xero delivery per flush batch (delivery splits them into ≤ 50-element calls). Each batch
   * ends in a short call per document kind, so fewer, larger batches cost fewer calls: 2,000 items (about 45 calls)
   * took the full-size bench from 496 to 479 calls against 500.
   */
  SYNCER_FLUSH_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(2000),
  /** Flush lease per org: a crashed owner's lease is taken over after this long (renewed while flushing). */
  SYNCER_FLUSH_LEASE_MS: z.coerce.number().int().min(100).default(30_000),
  /** Claim on queue items being delivered: items of a crashed flusher become claimable again after this. */
  SYNCER_CLAIM_LEASE_MS: z.coerce.number().int().min(100).default(120_000),
  /** Exponential backoff of retryable failures: first delay, cap, and attempts before an item is failed. */
  SYNCER_RETRY_BASE_MS: z.coerce.number().int().min(1).default(5_000),
  SYNCER_RETRY_MAX_MS: z.coerce.number().int().min(1).default(3_600_000),
  SYNCER_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(15),
  /** Stores flushed in parallel by one syncer (each under its own org lease). */
  SYNCER_FLUSH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Longest one Xero delivery call may take before the syncer gives up on it and retries the items later. */
  SYNCER_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(1000).default(300_000),
  /** Kafka session timeout of the syncer's consumers: how soon a crashed syncer's partitions move to the others. */
  SYNCER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).max(300_000).default(10_000),
  /**
   * Upgrade window only: entity events without any store signature (published by an ingest older than event
   * signing) are taken instead of dead-lettered, unless they claim origin `producer`. Reopens forging by any
   * principal that may write entity topics; set it while the older events drain, then unset (docs/security.md).
   */
  SYNCER_ACCEPT_UNSIGNED_EVENTS: flag(),
  /**
   * Immediately-mode deliveries of one store (and priority) a syncer runs at once while full batches of its events
   * wait (a backfill, a burst); below that a store has one delivery at a time and the events arriving meanwhile go
   * together in the next.
   */
  SYNCER_IMMEDIATE_DELIVERIES_PER_STORE: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * Most Immediately-mode events of a store delivered together (50: one full Xero call of a kind, and a short run so
   * the events arriving meanwhile wait little). 1 makes each event its own delivery.
   */
  SYNCER_IMMEDIATE_BATCH_MAX: z.coerce.number().int().min(1).max(500).default(50),
  /** Entity-topic partitions one syncer processes in parallel (each partition stays in order). */
  SYNCER_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(256).default(8),
  /** Days a sync log row is kept; older rows are swept (FerretDB v1 has no TTL indexes). */
  SYNC_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  /** Days an org's daily request counters are kept (the daily report reads them); older days are swept. */
  REQUEST_STATS_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
  /** How often each syncer sweeps the sync log and request counters past their retention (ms). */
  RETENTION_SWEEP_MS: z.coerce.number().int().min(1000).default(3_600_000),

  /** Interface the HTTP servers bind to; docker-compose sets 0.0.0.0. */
  BIND_HOST: z.string().default('127.0.0.1'),
  INGEST_PORT: port(3001),
  /** Ingest processes sharing INGEST_PORT (Node cluster), one per CPU core at most; 0 = one per core. */
  INGEST_WORKERS: z.coerce.number().int().min(0).max(64).default(1),
  /** NDJSON backfill uploads one store may have in progress at once on one ingest process (more get 429). */
  INGEST_BACKFILL_UPLOADS_PER_STORE: z.coerce.number().int().min(1).max(100).default(2),
  /** Spool bytes one store may hold on one ingest process (uploads in progress plus spools not yet published). */
  INGEST_BACKFILL_SPOOL_BYTES_PER_STORE: z.coerce
    .number()
    .int()
    .min(1)
    .default(16 * 1024 ** 3),
  ADMIN_API_PORT: port(3002),
  SYNCER_PORT: port(3003),
  /** Origin allowed by admin-api's CORS policy (the dashboard is served by admin-api itself). */
  ADMIN_CORS_ORIGIN: z.string().default('http://127.0.0.1:3002'),
  /** Failed admin-api authentications allowed per client address per window before it gets 429. */
  ADMIN_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(10),
  ADMIN_AUTH_FAILURE_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  /**
   * Which proxies in front of admin-api to believe about the client address (X-Forwarded-For): `false` (the
   * socket's peer is the client), `true` (any), a hop count, or comma-separated addresses/subnets (Express's
   * `trust proxy`). Leave false unless a proxy you run sets the header: otherwise clients choose their address.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx): boolean | number | string[] => {
      const text = v.trim();
      if (text === 'false' || text === '') return false;
      if (text === 'true') return true;
      if (/^\d+$/.test(text)) return Number(text);
      const list = text.split(',').map((s) => s.trim());
      if (list.every((s) => /^[0-9A-Fa-f.:/]+$|^(loopback|linklocal|uniquelocal)$/.test(s))) return list;
      ctx.addIssue({ code: 'custom', message: 'true, false, a hop count or comma-separated addresses/subnets' });
      return z.NEVER;
    }),
  /** Requests one admin-api key may make per window (every route together); the next gets 429 + Retry-After. */
  ADMIN_RATE_LIMIT: z.coerce.number().int().min(1).default(3000),
  ADMIN_RATE_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  /**
   * Webhook and backfill requests one store may make to one ingest process per window; the next gets 429 +
   * Retry-After. The default (10,000/s) sits above the measured single-store webhook rate so it never throttles
   * a healthy store; set it to what one merchant should be allowed.
   */
  INGEST_STORE_RATE_LIMIT: z.coerce.number().int().min(1).default(600_000),
  INGEST_STORE_RATE_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
});

/** The validated configuration; SYNCER_INSTANCE_ID is always resolved (see loadConfig). */
export type AppConfig = Omit<z.output<typeof envSchema>, 'SYNCER_INSTANCE_ID'> & { SYNCER_INSTANCE_ID: string };
export type EnvKey = keyof z.input<typeof envSchema>;
