export { Lease, LeaseSchema } from './lease.schema';
export { HeldLease, LeaseBatch, LeaseRepository, leaseKeys } from './lease.repository';
export { LeaseModule } from './lease.module';
