export { FlushSchedule, FlushScheduleSchema } from './flush-schedule.schema';
export { FlushScheduleRecord, FlushScheduleRepository } from './flush-schedule.repository';
export { FlushScheduleModule } from './flush-schedule.module';
