import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ScalarFields } from '../scalar-fields';
import { RECORD_CHANGE_FIELDS } from './pending-change.schema';

/** The synced content's last attempt and sync: when, under which correlation id, and the Xero id it has there. */
const SYNC_FIELDS = { correlationId: String, lastAttemptAt: Date, syncedAt: Date, xeroId: String };

/**
 * The latest synced content of every record (`record_copies`), kept apart from the queue: a synced item leaves
 * `pending_changes` for this collection, so the queue holds only open work (pending, waiting, processing, failed) and
 * selecting what is due costs the same however much history a store has. Per-record reads (Sync Now, reconciliation,
 * replay, redelivery and staleness checks, store-side prerequisites) look here when the queue does not hold the
 * record. A record may be in both: the queue's newer content is still to be synced, the copy is what Xero has.
 */
@Schema({ collection: 'record_copies', timestamps: true, versionKey: false })
export class RecordCopy extends ScalarFields({ required: RECORD_CHANGE_FIELDS, optional: SYNC_FIELDS }) {
  /** The record's pending-change `_id` (`storeId|entity|entityId`), the one key its reads and writes use. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true, default: 0 }) rank!: number;
  @Prop({ required: true, default: 0 }) attempts!: number;
}

export const RecordCopySchema = SchemaFactory.createForClass(RecordCopy);
// Admin lists and reconciliation read a store's records by entity, newest change first.
RecordCopySchema.index({ storeId: 1, entity: 1, occurredAt: -1 });
