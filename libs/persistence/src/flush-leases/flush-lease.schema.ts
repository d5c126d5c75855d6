import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * Flush coordination between syncers. Two kinds of documents share the collection:
 * - a lease (`_id` = `org:<tenantId>`, or `store:<storeId>` while unbound): the one syncer allowed to flush
 *   queue items for that org until `leaseUntil`; an expired lease is taken over;
 * - a store's flush schedule (`_id` = `schedule:<storeId>`): when it was first seen, last flushed, and whether
 *   "Sync Now" asked for a flush ahead of its interval.
 */
@Schema({ collection: 'flush_leases', versionKey: false })
export class FlushLease {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop() owner?: string;
  @Prop() leaseUntil?: Date;
  @Prop() firstSeenAt?: Date;
  @Prop() lastFlushAt?: Date;
  @Prop() flushRequestedAt?: Date;
}

export const FlushLeaseSchema = SchemaFactory.createForClass(FlushLease);
