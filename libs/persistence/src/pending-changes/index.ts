export {
  DependencyWait,
  DependencyWaitSchema,
  PendingChange,
  pendingChangeId,
  PendingChangeSchema,
  PendingChangeStatus,
} from './pending-change.schema';
export {
  ClaimedBatch,
  NewPendingChange,
  PendingChangeRecord,
  PendingChangeRepository,
  PendingChangeState,
  SaveLatestOutcome,
} from './pending-change.repository';
export { PendingChangeModule } from './pending-change.module';
