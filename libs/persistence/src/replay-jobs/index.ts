export { ReplayCounts, ReplayJob, ReplayJobSchema, ReplayRange, ReplayStatus } from './replay-job.schema';
export { emptyReplayCounts, NewReplayJob, ReplayJobRecord, ReplayJobRepository } from './replay-job.repository';
export { ReplayJobModule } from './replay-job.module';
