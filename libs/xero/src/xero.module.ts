import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import {
  DeliveryClaimRepository,
  deliveryClaimModel,
  PersistenceModule,
  RequestStatsModule,
  StoreSettingsModule,
  TokenLeaseRepository,
  tokenLeaseModel,
  XeroConnectionModule,
  XeroLinkModule,
} from '@xero-sync/persistence';
import { XeroAccountingClient } from './client/xero-accounting.client';
import { DryRunService } from './delivery/dry-run.service';
import { XeroDeliveryService } from './delivery/xero-delivery.service';
import { XeroHealth } from './read/xero-health';
import { XeroReadService } from './read/xero-read.service';
import { XeroConnectionService } from './tokens/xero-connection.service';
import { XERO_OPTIONS, XeroModuleOptions } from './xero.options';

const exported = [
  XeroDeliveryService,
  DryRunService,
  XeroConnectionService,
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
        PersistenceModule.forFeature([tokenLeaseModel, deliveryClaimModel]),
      ],
      providers: [
        { provide: XERO_OPTIONS, useValue: options },
        TokenLeaseRepository,
        DeliveryClaimRepository,
        ...exported,
      ],
      exports: exported,
    };
  }
}
