export {
  CORRELATION_HEADER,
  correlationIdOf,
  currentCorrelationId,
  runWithCorrelation,
  sanitizeCorrelationId,
} from './correlation';
export { LoggingModule, LoggingOptions } from './logger.module';
export * from './metrics';
export { expressHttpMetrics, recordHttpRequest, secondsSince, UNMATCHED_ROUTE } from './http-metrics';
export { MetricsController } from './metrics.controller';
export { HealthCheckable, HealthModule, HealthOptions } from './health.module';
export { withTimeout } from './with-timeout';
export { bootstrapApp, BootstrapOptions } from './bootstrap';
export { scrapeMetrics, superviseWorkers } from './cluster';
