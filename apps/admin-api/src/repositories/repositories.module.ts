import { Global, Module } from '@nestjs/common';
import {
  backfillJobModel,
  BackfillJobRepository,
  dlqMessageModel,
  DlqMessageRepository,
  pendingChangeModel,
  PendingChangeRepository,
  PersistenceModule,
  requestStatModel,
  RequestStatsRepository,
  settingsAuditModel,
  SettingsAuditRepository,
  storeModel,
  StoreRepository,
  storeSettingModel,
  StoreSettingsRepository,
  syncLogModel,
  SyncLogRepository,
  xeroConnectionModel,
  XeroConnectionRepository,
} from '@xero-sync/persistence';
import { StoreExistsQueries } from '../stores/store-exists.queries';

const repositories = [
  BackfillJobRepository,
  DlqMessageRepository,
  PendingChangeRepository,
  RequestStatsRepository,
  SettingsAuditRepository,
  StoreRepository,
  StoreSettingsRepository,
  SyncLogRepository,
  XeroConnectionRepository,
];

/** The collections admin-api reads (and the few it writes: stores, settings, audit, backfill jobs). */
@Global()
@Module({
  imports: [
    PersistenceModule.forFeature([
      backfillJobModel,
      dlqMessageModel,
      pendingChangeModel,
      requestStatModel,
      settingsAuditModel,
      storeModel,
      storeSettingModel,
      syncLogModel,
      xeroConnectionModel,
    ]),
  ],
  providers: [...repositories, StoreExistsQueries],
  exports: [...repositories, StoreExistsQueries],
})
export class RepositoriesModule {}
