import { ModelDefinition } from '@nestjs/mongoose';
import { FlushSchedule, FlushScheduleSchema } from './flush-schedule.schema';

export { FlushSchedule, FlushScheduleSchema } from './flush-schedule.schema';
export { FlushScheduleRecord, FlushScheduleRepository } from './flush-schedule.repository';
export const flushScheduleModel: ModelDefinition = { name: FlushSchedule.name, schema: FlushScheduleSchema };
