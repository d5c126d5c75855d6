import { ModelDefinition } from '@nestjs/mongoose';
import { PendingChange, PendingChangeSchema } from './pending-change.schema';

export { PendingChange, pendingChangeId, PendingChangeSchema, PendingChangeStatus } from './pending-change.schema';
export {
  ClaimedBatch,
  NewPendingChange,
  PendingChangeRecord,
  PendingChangeRepository,
  PendingChangeState,
  SaveLatestOutcome,
} from './pending-change.repository';
export const pendingChangeModel: ModelDefinition = { name: PendingChange.name, schema: PendingChangeSchema };
