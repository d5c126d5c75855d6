import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * Who is delivering a store record to Xero right now. `_id` = `<storeId>|<entity>|<entityId>#<epoch>`: the
 * holder of the newest live epoch of a record is the only delivery allowed to write it. Taking over an expired
 * claim inserts the next epoch, so the unique `_id` decides between contenders even on servers whose
 * conditional updates are not compare-and-set (FerretDB v1). Released claims are deleted.
 */
@Schema({ collection: 'delivery_claims', versionKey: false })
export class DeliveryClaim {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) key!: string;
  @Prop({ required: true }) epoch!: number;
  /** The delivery run holding it (instance id + run id). */
  @Prop({ required: true }) owner!: string;
  @Prop({ required: true }) expiresAt!: Date;
}

export const DeliveryClaimSchema = SchemaFactory.createForClass(DeliveryClaim);
DeliveryClaimSchema.index({ key: 1, epoch: -1 });
