import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

export type PendingChangeStatus = 'pending' | 'processing' | 'failed' | 'waiting';

/**
 * The Cron Job queue: one document per (store, entity, entity id) holding the latest content, so ten
 * updates of one order coalesce into one pending write.
 */
@Schema({ collection: 'pending_changes', timestamps: true, versionKey: false })
export class PendingChange {
  @Prop({ required: true }) storeId!: string;
  @Prop({ required: true }) entity!: string;
  @Prop({ required: true }) entityId!: string;
  @Prop({ required: true }) eventId!: string;
  @Prop({ required: true }) occurredAt!: Date;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) payload!: Record<string, unknown>;
  @Prop({ required: true, default: 'pending' }) status!: PendingChangeStatus;
  @Prop({ required: true, default: 0 }) attempts!: number;
  @Prop({ required: true, default: () => new Date(0) }) nextAttemptAt!: Date;
  @Prop() lastError?: string;
  @Prop() correlationId?: string;
  /** Claim lease: which syncer holds this item and until when. */
  @Prop() leaseOwner?: string;
  @Prop() leaseUntil?: Date;
}

export const PendingChangeSchema = SchemaFactory.createForClass(PendingChange);
PendingChangeSchema.index({ storeId: 1, entity: 1, entityId: 1 }, { unique: true });
PendingChangeSchema.index({ storeId: 1, status: 1, nextAttemptAt: 1 });
