import { Global, Module } from '@nestjs/common';
import {
  backfillJobModel,
  BackfillJobRepository,
  DlqMessageModule,
  PendingChangeModule,
  PersistenceModule,
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
  imports: [XeroModule.forRoot(), ...collections, PersistenceModule.forFeature([backfillJobModel])],
  providers: [BackfillJobRepository, StoreExistsQueries],
  exports: [...collections, BackfillJobRepository, StoreExistsQueries, XeroModule],
})
export class RepositoriesModule {}
