import { DynamicModule, Module } from '@nestjs/common';
import { StoreSettingsModule, StoreSettingsRepository } from '@xero-sync/persistence';
import { XeroDeliveryService, XeroModule } from '@xero-sync/xero';
import { TokenKeepAliveScheduler } from './token-keep-alive.scheduler';
import { SYNC_SETTINGS_SOURCE, SyncSettingsSource, XERO_DELIVERY, XeroDelivery } from './xero-delivery.port';

/**
 * Binds the syncer's ports to libs/xero: delivery through XeroDeliveryService, settings from store_settings; and
 * keeps idle orgs' refresh tokens alive (TokenKeepAliveScheduler).
 */
@Module({})
export class XeroBindingsModule {
  static forRoot(): DynamicModule {
    const xero = XeroModule.forRoot();
    return {
      module: XeroBindingsModule,
      imports: [xero, StoreSettingsModule],
      providers: [
        TokenKeepAliveScheduler,
        // Factories (not aliases) so the compiler checks that libs/xero fits the ports.
        {
          provide: XERO_DELIVERY,
          useFactory: (d: XeroDeliveryService): XeroDelivery => d,
          inject: [XeroDeliveryService],
        },
        {
          provide: SYNC_SETTINGS_SOURCE,
          useFactory: (s: StoreSettingsRepository): SyncSettingsSource => s,
          inject: [StoreSettingsRepository],
        },
      ],
      exports: [XERO_DELIVERY, SYNC_SETTINGS_SOURCE],
    };
  }
}
