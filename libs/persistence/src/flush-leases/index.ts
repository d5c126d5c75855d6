import { ModelDefinition } from '@nestjs/mongoose';
import { FlushLease, FlushLeaseSchema } from './flush-lease.schema';

export { FlushLease, FlushLeaseSchema } from './flush-lease.schema';
export { FlushLeaseRepository, FlushSchedule, LeaseHolder } from './flush-lease.repository';
export const flushLeaseModel: ModelDefinition = { name: FlushLease.name, schema: FlushLeaseSchema };
