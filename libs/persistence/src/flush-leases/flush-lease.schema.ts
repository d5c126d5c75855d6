import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * Flush coordination between syncers. Two kinds of documents share the collection:
 * - lease epochs (`_id` = `<key>#<epoch>`, key `org:<tenantId>` or `store:<storeId>` while unbound): the owner
 *   of the newest epoch of a key may flush that org until `leaseUntil`. Taking a lease over means inserting
 *   the next epoch, and the unique `_id` lets exactly one contender win, also on servers whose conditional
 *   updates are not atomic compare-and-set (FerretDB v1);
 * - a store's flush schedule (`_id` = `schedule:<storeId>`): when it was first seen, last flushed, and whether
 *   "Sync Now" asked for a flush ahead of its interval.
 */
@Schema({ collection: 'flush_leases', versionKey: false })
export class FlushLease {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop() key?: string;
  @Prop() epoch?: number;
  @Prop() owner?: string;
  @Prop() leaseUntil?: Date;
  @Prop() firstSeenAt?: Date;
  @Prop() lastFlushAt?: Date;
  @Prop() flushRequestedAt?: Date;
}

export const FlushLeaseSchema = SchemaFactory.createForClass(FlushLease);
FlushLeaseSchema.index({ key: 1, epoch: -1 });
