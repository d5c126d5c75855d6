import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@xero-sync/config';
import { PersistenceModule, StoreModule } from '@xero-sync/persistence';

/**
 * Just the stores collection, for command-line tools (store:create) and the benchmark that register stores
 * without booting the whole ingest app.
 */
@Module({})
export class StoresCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: StoresCliModule,
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(), StoreModule],
      exports: [StoreModule],
    };
  }
}
