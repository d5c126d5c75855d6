import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A store's flush schedule (`_id` = store id): when the syncer first saw it (its Cron Job interval counts from
 * then), when it was last flushed, and whether "Sync Now" asked for a flush ahead of its interval.
 */
@Schema({ collection: 'flush_schedules', versionKey: false })
export class FlushSchedule {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) firstSeenAt!: Date;
  @Prop() lastFlushAt?: Date;
  @Prop() flushRequestedAt?: Date;
}

export const FlushScheduleSchema = SchemaFactory.createForClass(FlushSchedule);
