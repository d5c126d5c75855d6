import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

export type BackfillSource = 'ndjson' | 'magento';
export type BackfillStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One rejected backfill item: where it was (NDJSON line or Magento page) and why. */
export interface BackfillItemError {
  /** 1-based NDJSON line number (ndjson jobs). */
  line?: number;
  /** Entity and 1-based page the item came from (magento jobs). */
  entity?: string;
  page?: number;
  path: string;
  message: string;
}

/**
 * Where a backfill resumes: ndjson → the last line whose events Kafka acknowledged (every earlier line is
 * settled); magento → the next page to fetch of the current entity (every earlier page was acknowledged).
 */
export type BackfillCursor = { line: number } | { entity: string; page: number };

/** An "Add All Data To Queue" run: counts, status and resume cursor, read by admin-api. */
@Schema({ collection: 'backfill_jobs', versionKey: false })
export class BackfillJob {
  @Prop({ required: true, unique: true }) jobId!: string;
  @Prop({ required: true }) storeId!: string;
  @Prop({ type: String, required: true }) source!: BackfillSource;
  @Prop({ type: [String], default: [] }) entities!: string[];
  @Prop({ type: String, required: true, default: 'queued' }) status!: BackfillStatus;
  @Prop({ required: true, default: 0 }) total!: number;
  @Prop({ required: true, default: 0 }) published!: number;
  @Prop({ required: true, default: 0 }) failed!: number;
  /** The first MAX_BACKFILL_ERRORS item errors (`errors` itself is a reserved mongoose path name). */
  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] }) itemErrors!: BackfillItemError[];
  @Prop({ type: MongooseSchema.Types.Mixed }) cursor?: BackfillCursor;
  @Prop({ required: true, default: false }) cancelRequested!: boolean;
  /** Why the whole job failed (not per-item problems, which are in `errors`). */
  @Prop() lastError?: string;
  @Prop() requestedBy?: string;
  /**
   * Which ingest worker runs the job and under which epoch of its `backfill:<jobId>` lease (the leases
   * collection decides who runs it; these two fence the runner's writes to the job).
   */
  @Prop({ type: String }) leaseOwner?: string;
  @Prop({ type: Number }) leaseEpoch?: number;
  @Prop({ required: true }) createdAt!: Date;
  @Prop() startedAt?: Date;
  @Prop() finishedAt?: Date;
}

export const BackfillJobSchema = SchemaFactory.createForClass(BackfillJob);
BackfillJobSchema.index({ storeId: 1, createdAt: -1 });
BackfillJobSchema.index({ status: 1 });
