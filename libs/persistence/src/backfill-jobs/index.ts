import { ModelDefinition } from '@nestjs/mongoose';
import { BackfillJob, BackfillJobSchema } from './backfill-job.schema';

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
export const backfillJobModel: ModelDefinition = { name: BackfillJob.name, schema: BackfillJobSchema };
