import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** One change of a store's settings: who changed what, with the values before and after. Append-only. */
@Schema({ collection: 'settings_audit', versionKey: false })
export class SettingsAudit {
  @Prop({ required: true }) storeId!: string;
  @Prop({ required: true }) actor!: string;
  @Prop({ required: true }) at!: Date;
  /** Dotted paths of the fields whose value changed. */
  @Prop({ type: [String], required: true }) changedFields!: string[];
  @Prop({ type: MongooseSchema.Types.Mixed }) before!: Record<string, unknown>;
  @Prop({ type: MongooseSchema.Types.Mixed }) after!: Record<string, unknown>;
  @Prop() correlationId?: string;
}

export const SettingsAuditSchema = SchemaFactory.createForClass(SettingsAudit);
SettingsAuditSchema.index({ storeId: 1, at: -1 });
