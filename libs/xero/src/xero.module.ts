import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  BudgetSlotsModule,
  LeaseModule,
  RequestStatsModule,
  StoreSettingsModule,
  XeroConnectionModule,
  XeroLinkModule,
} from '@xero-sync/persistence';
import { XeroAccountingClient } from './client/xero-accounting.client';
import { DryRunService } from './delivery/dry-run.service';
import { XeroDeliveryService } from './delivery/xero-delivery.service';
import { XeroHealth } from './read/xero-health';
import { XeroReadService } from './read/xero-read.service';
import { XeroConnectionService } from './tokens/xero-connection.service';
import { XeroConsentService } from './tokens/xero-consent.service';
import { XeroTokenVault } from './tokens/xero-token-vault';
import { XERO_OPTIONS, XeroModuleOptions } from './xero.options';

const exported = [
  XeroDeliveryService,
  DryRunService,
  XeroConnectionService,
  XeroConsentService,
  XeroReadService,
  XeroHealth,
  XeroAccountingClient,
];

/**
 * Xero delivery for an app; needs ConfigModule.forRoot and PersistenceModule.forRoot in the app. Exports only its
 * Xero services: an app that reads or writes store settings, request stats or links imports that collection's
 * feature module from @xero-sync/persistence itself.
 */
@Module({})
export class XeroModule {
  static forRoot(options: XeroModuleOptions = {}): DynamicModule {
    return {
      module: XeroModule,
      imports: [
        TerminusModule,
        XeroConnectionModule,
        XeroLinkModule,
        RequestStatsModule,
        StoreSettingsModule,
        LeaseModule,
        BudgetSlotsModule,
      ],
      providers: [{ provide: XERO_OPTIONS, useValue: options }, XeroTokenVault, ...exported],
      exports: exported,
    };
  }
}
