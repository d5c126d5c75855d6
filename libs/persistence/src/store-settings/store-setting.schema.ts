import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** Saved settings of one store (defaults apply to anything missing). */
@Schema({ collection: 'store_settings', timestamps: true, versionKey: false })
export class StoreSetting {
  @Prop({ required: true }) storeId!: string;
  @Prop() xeroTenantId?: string;
  @Prop({ required: true }) mode!: string;
  @Prop({ required: true }) cronIntervalMinutes!: number;
  @Prop() waitHorizonMinutes?: number;
  @Prop({ type: [String], required: true }) entitiesEnabled!: string[];
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) mapping!: Record<string, unknown>;
  @Prop() updatedBy?: string;
}

export const StoreSettingSchema = SchemaFactory.createForClass(StoreSetting);
StoreSettingSchema.index({ storeId: 1 }, { unique: true });
StoreSettingSchema.index({ xeroTenantId: 1 });
