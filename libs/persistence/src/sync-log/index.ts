export {
  SYNC_LOG_MODES,
  SYNC_LOG_STATUSES,
  SyncLog,
  SyncLogSchema,
  SyncLogMode,
  SyncLogStatus,
} from './sync-log.schema';
export {
  escapeRegex,
  NewSyncLogEntry,
  SYNC_LOG_SORT_FIELDS,
  SyncLogFilter,
  SyncLogPage,
  SyncLogRecord,
  SyncLogRepository,
  SyncLogSearchResult,
  SyncLogSortField,
} from './sync-log.repository';
export { SyncLogModule } from './sync-log.module';
