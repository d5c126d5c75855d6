import { Module } from '@nestjs/common';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { LeaseRepository } from './lease.repository';
import { Lease, LeaseSchema } from './lease.schema';

/** Per-record delivery claims, kept apart from the few long-lived leases (see LeaseModule). */
export const RECORD_LEASES = Symbol('RECORD_LEASES');
const RECORD_LEASE_MODEL = 'RecordLease';

/**
 * The lease collections, one LeaseRepository each: `leases` (flush, token and backfill leases: a handful per org)
 * and `record_leases` (a delivery's per-record claims: hundreds while batches are in flight, under RECORD_LEASES).
 * A key's newest epoch is found by a query on `key`, which FerretDB v1 answers by reading the whole collection
 * (only an exact `_id` is pushed down), so every flush tick's lookup would otherwise also read every claim in
 * flight. Needs PersistenceModule.forRoot in the app.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Lease.name, schema: LeaseSchema },
      { name: RECORD_LEASE_MODEL, schema: LeaseSchema, collection: 'record_leases' },
    ]),
  ],
  providers: [
    LeaseRepository,
    {
      provide: RECORD_LEASES,
      useFactory: (model: Model<Lease>) => new LeaseRepository(model),
      inject: [getModelToken(RECORD_LEASE_MODEL)],
    },
  ],
  exports: [LeaseRepository, RECORD_LEASES],
})
export class LeaseModule {}
