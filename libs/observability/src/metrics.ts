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

export const xeroBudgetRemaining = new Gauge({
  name: 'xero_sync_budget_remaining',
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
