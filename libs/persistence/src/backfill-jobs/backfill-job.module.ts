import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { BackfillJobRepository } from './backfill-job.repository';
import { BackfillJob, BackfillJobSchema } from './backfill-job.schema';

/** The `backfill_jobs` collection: registers its schema and provides BackfillJobRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: BackfillJob.name, schema: BackfillJobSchema }])],
  providers: [BackfillJobRepository],
  exports: [BackfillJobRepository],
})
export class BackfillJobModule {}
