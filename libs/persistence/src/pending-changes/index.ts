import { ModelDefinition } from '@nestjs/mongoose';
import { PendingChange, PendingChangeSchema } from './pending-change.schema';

export { PendingChange, PendingChangeSchema, PendingChangeStatus } from './pending-change.schema';
export { PendingChangeRecord, NewPendingChange, PendingChangeRepository } from './pending-change.repository';
export const pendingChangeModel: ModelDefinition = { name: PendingChange.name, schema: PendingChangeSchema };
