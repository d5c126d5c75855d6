import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@xero-sync/config';
import { PersistenceModule, StoreModule, XeroConnectionModule } from '@xero-sync/persistence';
import { RotateEncryptionKeyUseCase } from './rotate-encryption-key.usecase';

/** The collections holding sealed secrets, for `npm run keys:rotate` (no HTTP server, no Kafka). */
@Module({})
export class KeysCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: KeysCliModule,
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(), StoreModule, XeroConnectionModule],
      providers: [RotateEncryptionKeyUseCase],
      exports: [RotateEncryptionKeyUseCase],
    };
  }
}
