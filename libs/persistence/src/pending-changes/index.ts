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
  PendingChangeState,
  SaveLatestOutcome,
} from './pending-change.record';
export { ArrivalWait, IntakeOutcome } from './intake-writes';
export { RecordCopy, RecordCopySchema } from './record-copy.schema';
export { PendingChangeRepository } from './pending-change.repository';
export { PendingChangeModule } from './pending-change.module';
