import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/**
 * `requested` (admin-api published the command), `running` (a syncer reads the store's events), `succeeded`,
 * `failed` (see lastError) or `interrupted` (the syncer running it stopped; starting the replay again is safe).
 */
export type ReplayStatus = 'requested' | 'running' | 'succeeded' | 'failed' | 'interrupted';

/** What a replay did with the events it read. */
export interface ReplayCounts {
  /** Messages read from the store's partitions in the replayed range. */
  read: number;
  /** Records written to Xero again (content or mapping changed since they were synced). */
  synced: number;
  /** Records Xero already held exactly so (no call). */
  unchanged: number;
  failed: number;
  /** Records waiting on another record (they go on in the queue). */
  waiting: number;
  /** Not this store's, not a chosen type, superseded by newer content, or deferred to the queue. */
  skipped: number;
}

/** One partition's part of a replay: from the first offset at the replay's time up to the end at its request. */
export interface ReplayRange {
  topic: string;
  partition: number;
  from: string;
  /** Exclusive: the partition's end when the replay started. */
  to: string;
}

/** An operator's replay of a store's events from a point in time: what, progress and summary. */
@Schema({ collection: 'replay_jobs', versionKey: false })
export class ReplayJob {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) storeId!: string;
  @Prop({ required: true }) from!: Date;
  @Prop({ type: [String], required: true }) entities!: string[];
  @Prop({ type: String, required: true, default: 'requested' }) status!: ReplayStatus;
  /** Messages in the replayed range (known once the syncer has looked the offsets up). */
  @Prop({ required: true, default: 0 }) total!: number;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) counts!: ReplayCounts;
  @Prop({ type: [MongooseSchema.Types.Mixed], default: [] }) ranges!: ReplayRange[];
  @Prop() runner?: string;
  @Prop() lastError?: string;
  @Prop() requestedBy?: string;
  @Prop({ required: true }) createdAt!: Date;
  @Prop() startedAt?: Date;
  /** Last progress write of the running syncer (a stale one means the syncer is gone). */
  @Prop() progressAt?: Date;
  @Prop() finishedAt?: Date;
}

export const ReplayJobSchema = SchemaFactory.createForClass(ReplayJob);
ReplayJobSchema.index({ storeId: 1, createdAt: -1 });
