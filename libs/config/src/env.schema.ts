import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const url = (fallback: string) => z.url({ protocol: /^https?$/ }).default(fallback);

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

  /** Items per page the ingest Magento 2 REST pull connector requests (searchCriteria[pageSize]). */
  MAGENTO_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),

  /** 32 bytes as 64 hex chars or base64; encrypts Xero tokens at rest (AES-256-GCM). */
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .refine(
      (k) => /^[0-9a-fA-F]{64}$/.test(k) || Buffer.from(k, 'base64').length === 32,
      'must be 32 bytes: 64 hex characters or base64',
    )
    .optional(),
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
  /** Queue items handed to Xero delivery per flush batch (delivery splits them into ≤ 50-element calls). */
  SYNCER_FLUSH_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
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
  ADMIN_API_PORT: port(3002),
  SYNCER_PORT: port(3003),
  /** Origin allowed by admin-api's CORS policy (the dashboard is served by admin-api itself). */
  ADMIN_CORS_ORIGIN: z.string().default('http://127.0.0.1:3002'),
  /** Failed admin-api authentications allowed per client address per window before it gets 429. */
  ADMIN_AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).default(10),
  ADMIN_AUTH_FAILURE_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
});

/** The validated configuration; SYNCER_INSTANCE_ID is always resolved (see loadConfig). */
export type AppConfig = Omit<z.output<typeof envSchema>, 'SYNCER_INSTANCE_ID'> & { SYNCER_INSTANCE_ID: string };
export type EnvKey = keyof z.input<typeof envSchema>;
