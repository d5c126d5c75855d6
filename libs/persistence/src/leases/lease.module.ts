import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LeaseRepository } from './lease.repository';
import { Lease, LeaseSchema } from './lease.schema';

/** The `leases` collection: registers its schema and provides LeaseRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Lease.name, schema: LeaseSchema }])],
  providers: [LeaseRepository],
  exports: [LeaseRepository],
})
export class LeaseModule {}
