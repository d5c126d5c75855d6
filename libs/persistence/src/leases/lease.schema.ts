import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * One epoch of a lease: `_id` = `<key>#<epoch>`. The owner of a key's newest epoch holds the key until
 * `expiresAt`. Taking a key over inserts the next epoch, so the unique `_id` decides between contenders, also
 * on servers whose conditional updates are not compare-and-set (FerretDB v1). Released epochs are deleted.
 */
@Schema({ collection: 'leases', versionKey: false })
export class Lease {
  @Prop({ type: String, required: true }) _id!: string;
  /** `<keyspace>:<name>`, e.g. `flush:org:<tenantId>` (see leaseKeys). */
  @Prop({ required: true }) key!: string;
  @Prop({ required: true }) epoch!: number;
  @Prop({ required: true }) owner!: string;
  @Prop({ required: true }) expiresAt!: Date;
}

export const LeaseSchema = SchemaFactory.createForClass(Lease);
LeaseSchema.index({ key: 1, epoch: -1 });
