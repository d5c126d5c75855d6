import { DynamicModule, Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { MongoHealthIndicator } from './mongo-health.indicator';

/**
 * The MongoDB connection (FerretDB locally, MongoDB in production). Code stays within what both support:
 * no transactions, change streams or TTL indexes, and only simple aggregation stages.
 */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TerminusModule,
        MongooseModule.forRootAsync({
          useFactory: (config: AppConfig) => ({
            uri: config.MONGODB_URI,
            serverSelectionTimeoutMS: 5000,
            // After a server restart the driver must not wait forever on a dying socket: see patches/README.md.
            // Bounded so that all processes together stay well inside FerretDB's own pool (see the env schema).
            maxPoolSize: config.MONGODB_MAX_POOL_SIZE,
            // Fail fast instead of buffering operations for 10 s when the server is away.
            bufferCommands: false,
            autoIndex: true,
          }),
          inject: [APP_CONFIG],
        }),
      ],
      providers: [MongoHealthIndicator],
      exports: [MongoHealthIndicator],
    };
  }
}
