export { RequestStat } from './request-stat.schema';
export { RecordedCall, RequestStatRecord, RequestStatsRepository, utcDay } from './request-stat.repository';
export { RequestStatsModule } from './request-stats.module';
