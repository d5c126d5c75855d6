export {
  BackfillJob,
  BackfillJobSchema,
  BackfillSource,
  BackfillStatus,
  BackfillItemError,
  BackfillCursor,
} from './backfill-job.schema';
export {
  BackfillJobRecord,
  BackfillFence,
  NewBackfillJob,
  BackfillProgress,
  BackfillJobRepository,
  MAX_BACKFILL_ERRORS,
} from './backfill-job.repository';
export { BackfillJobModule } from './backfill-job.module';
