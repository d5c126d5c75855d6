import { ModelDefinition } from '@nestjs/mongoose';
import { RequestStat, RequestStatSchema } from './request-stat.schema';

export { RequestStat } from './request-stat.schema';
export { RecordedCall, RequestStatRecord, RequestStatsRepository, utcDay } from './request-stat.repository';
export const requestStatModel: ModelDefinition = { name: RequestStat.name, schema: RequestStatSchema };
