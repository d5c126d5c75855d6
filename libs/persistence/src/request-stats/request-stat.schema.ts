import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/**
 * Xero calls per org per UTC day, pre-aggregated with $inc (FerretDB has no rich aggregation), shared by all
 * instances: the daily budget and the "Request Daily Report" read it.
 */
@Schema({ collection: 'request_stats', timestamps: true, versionKey: false })
export class RequestStat {
  @Prop({ required: true }) tenantId!: string;
  /** UTC day, YYYY-MM-DD. */
  @Prop({ required: true }) day!: string;
  @Prop({ required: true, default: 0 }) calls!: number;
  @Prop({ required: true, default: 0 }) http429!: number;
  @Prop({ required: true, default: 0 }) failed!: number;
  /** Calls by endpoint key, e.g. `POST_Invoices`. */
  @Prop({ type: MongooseSchema.Types.Mixed, default: {} }) byEndpoint!: Record<string, number>;
  @Prop() dayRemaining?: number;
  @Prop() minuteRemaining?: number;
  @Prop() appMinuteRemaining?: number;
  @Prop() lastCallAt?: Date;
}

export const RequestStatSchema = SchemaFactory.createForClass(RequestStat);
RequestStatSchema.index({ tenantId: 1, day: 1 }, { unique: true });
RequestStatSchema.index({ day: 1 });
