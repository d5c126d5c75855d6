import { Global, Module } from '@nestjs/common';
import {
  BackfillJobModule,
  DlqMessageModule,
  PendingChangeModule,
  RequestStatsModule,
  SettingsAuditModule,
  StoreModule,
  StoreSettingsModule,
  SyncLogModule,
  XeroConnectionModule,
} from '@xero-sync/persistence';
import { XeroModule } from '@xero-sync/xero';
import { StoreExistsQueries } from '../stores/store-exists.queries';

const collections = [
  BackfillJobModule,
  DlqMessageModule,
  PendingChangeModule,
  RequestStatsModule,
  SettingsAuditModule,
  StoreModule,
  StoreSettingsModule,
  SyncLogModule,
  XeroConnectionModule,
];

/**
 * The collections admin-api reads (and the few it writes: stores, settings, audit, backfill jobs), and libs/xero
 * (connections, Xero reads), shared by every feature module.
 */
@Global()
@Module({
  imports: [XeroModule.forRoot(), ...collections],
  providers: [StoreExistsQueries],
  exports: [...collections, StoreExistsQueries, XeroModule],
})
export class RepositoriesModule {}
