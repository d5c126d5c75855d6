export { Lease, LeaseSchema } from './lease.schema';
export { HeldLease, LeaseBatch, LeaseRepository, leaseKeys } from './lease.repository';
export { LeaseModule, RECORD_LEASES } from './lease.module';
