import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ReplayJobRepository } from './replay-job.repository';
import { ReplayJob, ReplayJobSchema } from './replay-job.schema';

/** The `replay_jobs` collection: registers its schema and provides ReplayJobRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: ReplayJob.name, schema: ReplayJobSchema }])],
  providers: [ReplayJobRepository],
  exports: [ReplayJobRepository],
})
export class ReplayJobModule {}
