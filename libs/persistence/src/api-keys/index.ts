export { ApiKey, ApiKeySchema, ApiKeyRole, ApiKeyStores, API_KEY_ROLES } from './api-key.schema';
export { ApiKeyRecord, NewApiKey, ApiKeyRepository } from './api-key.repository';
export { ApiKeyModule } from './api-key.module';
export { ApiKeyAuthQueries, ApiKeyPrincipal } from './api-key-auth.queries';
export { mayScrapeMetrics, presentedApiKey, roleAllows } from './api-key-access';
export { MetricsScrapeGuard } from './metrics-scrape.guard';
