import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/**
 * Xero calls per org per UTC day and process instance (`_id` = `<tenantId>|<day>|<instance>`), pre-aggregated
 * with $inc (FerretDB has no rich aggregation). Each process writes only its own document, one write at a time:
 * FerretDB applies $inc as a read and a whole-document write, so two processes incrementing one document would
 * lose counts. Readers sum an org's documents of the day (the daily budget, the "Request Daily Report").
 */
@Schema({ collection: 'request_stats', timestamps: true, versionKey: false })
export class RequestStat {
  @Prop({ type: String }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  /** UTC day, YYYY-MM-DD. */
  @Prop({ required: true }) day!: string;
  /** The process that made the calls (SYNCER_INSTANCE_ID). */
  @Prop({ required: true }) instance!: string;
  @Prop({ required: true, default: 0 }) calls!: number;
  @Prop({ required: true, default: 0 }) http429!: number;
  @Prop({ required: true, default: 0 }) failed!: number;
  /** Calls by endpoint key, e.g. `POST_Invoices`. */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} }) byEndpoint!: Record<string, number>;
  /** Calls by process class: `sync` (queue and Immediately writes), `sync-now`, `read` (admin reads). */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} }) byClass!: Record<string, number>;
  @Prop() dayRemaining?: number;
  @Prop() minuteRemaining?: number;
  @Prop() appMinuteRemaining?: number;
  @Prop() lastCallAt?: Date;
}

export const RequestStatSchema = SchemaFactory.createForClass(RequestStat);
RequestStatSchema.index({ tenantId: 1, day: 1 });
RequestStatSchema.index({ day: 1 });
