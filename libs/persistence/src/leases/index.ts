import { ModelDefinition } from '@nestjs/mongoose';
import { Lease, LeaseSchema } from './lease.schema';

export { Lease, LeaseSchema } from './lease.schema';
export { HeldLease, LeaseBatch, LeaseRepository, leaseKeys } from './lease.repository';
export const leaseModel: ModelDefinition = { name: Lease.name, schema: LeaseSchema };
