import { DynamicModule, Module } from '@nestjs/common';
import { XeroModule } from '@xero-sync/xero';
import { TokenKeepAliveScheduler } from './token-keep-alive.scheduler';

/**
 * libs/xero for the syncer: XeroDeliveryService and StoreSettingsRepository (re-exported for the use cases), and
 * keeping idle orgs' refresh tokens alive (TokenKeepAliveScheduler).
 */
@Module({})
export class XeroBindingsModule {
  static forRoot(): DynamicModule {
    const xero = XeroModule.forRoot();
    return {
      module: XeroBindingsModule,
      imports: [xero],
      providers: [TokenKeepAliveScheduler],
      exports: [xero],
    };
  }
}
