import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { FlushScheduleRepository } from './flush-schedule.repository';
import { FlushSchedule, FlushScheduleSchema } from './flush-schedule.schema';

/** The `flush_schedules` collection: registers its schema and provides FlushScheduleRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: FlushSchedule.name, schema: FlushScheduleSchema }])],
  providers: [FlushScheduleRepository],
  exports: [FlushScheduleRepository],
})
export class FlushScheduleModule {}
