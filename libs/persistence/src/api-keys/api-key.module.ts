import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ApiKeyAuthQueries } from './api-key-auth.queries';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKey, ApiKeySchema } from './api-key.schema';
import { MetricsScrapeGuard } from './metrics-scrape.guard';

/**
 * The `api_keys` collection: registers its schema and provides ApiKeyRepository, the one key lookup
 * (ApiKeyAuthQueries) and the scrape guard every app puts on /metrics. Needs PersistenceModule.forRoot in the app.
 */
@Module({
  imports: [MongooseModule.forFeature([{ name: ApiKey.name, schema: ApiKeySchema }])],
  providers: [ApiKeyRepository, ApiKeyAuthQueries, MetricsScrapeGuard],
  exports: [ApiKeyRepository, ApiKeyAuthQueries, MetricsScrapeGuard],
})
export class ApiKeyModule {}
