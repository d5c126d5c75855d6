import { Global, Module } from '@nestjs/common';
import {
  backfillJobModel,
  BackfillJobRepository,
  dlqMessageModel,
  DlqMessageRepository,
  pendingChangeModel,
  PendingChangeRepository,
  PersistenceModule,
  settingsAuditModel,
  SettingsAuditRepository,
  storeModel,
  StoreRepository,
  syncLogModel,
  SyncLogRepository,
} from '@xero-sync/persistence';
import { XeroModule } from '@xero-sync/xero';
import { StoreExistsQueries } from '../stores/store-exists.queries';

const repositories = [
  BackfillJobRepository,
  DlqMessageRepository,
  PendingChangeRepository,
  SettingsAuditRepository,
  StoreRepository,
  SyncLogRepository,
];

/**
 * The collections admin-api reads (and the few it writes: stores, settings, audit, backfill jobs), and libs/xero
 * (connections, Xero reads, settings, request stats), shared by every feature module.
 */
@Global()
@Module({
  imports: [
    XeroModule.forRoot(),
    PersistenceModule.forFeature([
      backfillJobModel,
      dlqMessageModel,
      pendingChangeModel,
      settingsAuditModel,
      storeModel,
      syncLogModel,
    ]),
  ],
  providers: [...repositories, StoreExistsQueries],
  exports: [...repositories, StoreExistsQueries, XeroModule],
})
export class RepositoriesModule {}
