import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process-wide Prometheus registry and every metric the apps expose. Defined in one place so names and
 * labels stay consistent across ingest, syncer and admin-api; each app exposes whatever it increments.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const eventsIn = new Counter({
  name: 'xero_sync_events_in_total',
  help: 'Entity-change events received (webhook, producer, backfill) or consumed',
  labelNames: ['app', 'entity', 'origin'] as const,
  registers: [metricsRegistry],
});

export const eventsOut = new Counter({
  name: 'xero_sync_events_out_total',
  help: 'Events published to Kafka or finished by the syncer, by outcome',
  labelNames: ['app', 'entity', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const consumerLag = new Gauge({
  name: 'xero_sync_consumer_lag',
  help: 'Messages between the last consumed offset and the high watermark, per topic partition',
  labelNames: ['topic', 'partition'] as const,
  registers: [metricsRegistry],
});

export const queueDepth = new Gauge({
  name: 'xero_sync_queue_depth',
  help: 'Items waiting in the MongoDB queue, by status',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

export const xeroCalls = new Counter({
  name: 'xero_sync_xero_calls_total',
  help: 'Calls made to Xero, by org, endpoint and HTTP status',
  labelNames: ['org', 'endpoint', 'status'] as const,
  registers: [metricsRegistry],
});

export const xeroCallDuration = new Histogram({
  name: 'xero_sync_xero_call_duration_seconds',
  help: 'Duration of Xero calls',
  labelNames: ['endpoint'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const breakerState = new Gauge({
  name: 'xero_sync_breaker_state',
  help: 'Circuit breaker state per org: 0 closed, 1 half-open, 2 open',
  labelNames: ['org'] as const,
  registers: [metricsRegistry],
});

export const xeroBreakerOpen = new Gauge({
  name: 'xero_sync_breaker_open',
  help: 'Whether calls to the org are paused fleet-wide (1: some process has its breaker open), as this process last read it',
  labelNames: ['org'] as const,
  registers: [metricsRegistry],
});

export const xeroMinuteSlotsFree = new Gauge({
  name: 'xero_sync_minute_slots_free',
  help: "Minute slots of the org's fleet-wide Xero budget free at this process's last claim",
  labelNames: ['org'] as const,
  registers: [metricsRegistry],
});

export const httpRequestDuration = new Histogram({
  name: 'xero_sync_http_request_duration_seconds',
  help: 'Duration of HTTP requests served',
  labelNames: ['app', 'route', 'status'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [metricsRegistry],
});

/**
 * Calls left in an org's Xero daily budget as this process last saw it (Xero's X-DayLimit-Remaining, or the
 * shared day count when no answer carried it).
 */
export const xeroDayBudgetRemaining = new Gauge({
  name: 'xero_budget_remaining',
  help: "Calls left in the org's Xero daily budget",
  labelNames: ['org'] as const,
  registers: [metricsRegistry],
});

export const syncErrors = new Counter({
  name: 'xero_sync_sync_errors_total',
  help: 'Records Xero delivery did not sync, by error code (XeroError code or VALIDATION etc.)',
  labelNames: ['entity', 'code'] as const,
  registers: [metricsRegistry],
});

export const deliveryDuration = new Histogram({
  name: 'xero_sync_delivery_duration_seconds',
  help: 'Duration of one Xero delivery of a batch of records (all its Xero calls), by mode',
  labelNames: ['mode'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [metricsRegistry],
});

export const flushDuration = new Histogram({
  name: 'xero_sync_flush_duration_seconds',
  help: "Duration of one Cron Job flush of a store's queue",
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  registers: [metricsRegistry],
});

export const lastFlush = new Gauge({
  name: 'xero_sync_last_flush_timestamp_seconds',
  help: "Unix time of the last finished Cron Job flush of a store's queue by this process",
  labelNames: ['store'] as const,
  registers: [metricsRegistry],
});

export const flushInterval = new Gauge({
  name: 'xero_sync_flush_interval_seconds',
  help: "A Cron Job store's configured flush interval",
  labelNames: ['store'] as const,
  registers: [metricsRegistry],
});

export const storeQueueDepth = new Gauge({
  name: 'xero_sync_store_queue_depth',
  help: 'Items a flush will still deliver (pending, processing, waiting) in the MongoDB queue, per store',
  labelNames: ['store'] as const,
  registers: [metricsRegistry],
});

export const storeQueueOldest = new Gauge({
  name: 'xero_sync_store_queue_oldest_seconds',
  help: 'Age of the longest-waiting of those items (since its last change), per store',
  labelNames: ['store'] as const,
  registers: [metricsRegistry],
});

export const dlqSize = new Gauge({
  name: 'xero_sync_dlq_messages',
  help: 'Dead-lettered messages not yet requeued',
  registers: [metricsRegistry],
});

export const xeroConnected = new Gauge({
  name: 'xero_sync_xero_connection_connected',
  help: "1 while an org's Xero connection is connected, 0 once it is disconnected (re-consent needed)",
  labelNames: ['org'] as const,
  registers: [metricsRegistry],
});

export const refreshTokenExpiry = new Gauge({
  name: 'xero_sync_refresh_token_expiry_timestamp_seconds',
  help: "Unix time at which an org's Xero refresh token dies unless used (60 days after issue)",
  labelNames: ['org'] as const,
  registers: [metricsRegistry],
});
