import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ScalarFields } from '../scalar-fields';

/**
 * `pending`/`waiting`: due at `nextAttemptAt`; `processing`: claimed by a flusher until `leaseUntil` (then
 * claimable again, so a crashed flusher's items are not stuck); `failed`: permanent Xero error, kept for
 * "Sync Now" after a fix; `synced`: delivered, the document keeps the last synced content for per-record
 * "Sync Now".
 */
export type PendingChangeStatus = 'pending' | 'processing' | 'failed' | 'waiting' | 'synced';

/**
 * For `waiting`: what the item waits on (in Xero delivery's words), the record it waits for (its `_id`, when known;
 * that record's sync wakes it) and since when this content has waited (the store's wait horizon counts from here).
 */
const WAITING_FIELDS = { waitingOn: String, waitingFor: String, waitingSince: Date };

/** Claim lease: which syncer holds this item, until when, and the claim it belongs to. */
const CLAIM_FIELDS = { leaseOwner: String, leaseUntil: Date, claimToken: String };

/** The last attempt: its error, correlation id and time. */
const ATTEMPT_FIELDS = { lastError: String, correlationId: String, lastAttemptAt: Date };

/** The last sync: when the content reached Xero, and the Xero id it has there. */
const SYNC_FIELDS = { syncedAt: Date, xeroId: String };

/**
 * One store change of one record, as the queue and the record copies keep it. `payload` is the store payload as JSON
 * text: queue scans (due items, depth by status) read every document on FerretDB v1, and one string costs ~8× less
 * to read there than the same payload as a nested document (measured, 2 KB orders).
 */
export const RECORD_CHANGE_FIELDS = {
  storeId: String,
  entity: String,
  entityId: String,
  eventId: String,
  occurredAt: Date,
  payload: String,
};

/**
 * The Cron Job queue: one document per (store, entity, entity id) holding the latest content, so ten
 * updates of one order coalesce into one pending write. An older event never replaces newer content.
 */
@Schema({ collection: 'pending_changes', timestamps: true, versionKey: false })
export class PendingChange extends ScalarFields({
  required: RECORD_CHANGE_FIELDS,
  optional: { ...ATTEMPT_FIELDS, ...WAITING_FIELDS, ...CLAIM_FIELDS, ...SYNC_FIELDS },
}) {
  /**
   * `storeId|entity|entityId`: every per-record read and write goes by _id, the only filter FerretDB v1 answers
   * without scanning (and parsing) the whole collection; by the compound key each write cost O(queue size).
   */
  @Prop({ type: String, required: true }) _id!: string;
  /** Dependency rank (contacts/items 0, invoices 1, payments/credit notes 2): flushes claim lower ranks first. */
  @Prop({ required: true, default: 0 }) rank!: number;
  @Prop({ type: String, required: true, default: 'pending' }) status!: PendingChangeStatus;
  @Prop({ required: true, default: 0 }) attempts!: number;
  @Prop({ required: true, default: () => new Date(0) }) nextAttemptAt!: Date;
}

export const PendingChangeSchema = SchemaFactory.createForClass(PendingChange);

/**
 * Who waits for a record: `_id` = the awaited record's pending-change `_id`, `waiters` the `_id`s of the items waiting
 * for it. Kept apart from the queue so that "who waits for what just synced" is one read of a small collection (only
 * current waits live here) instead of a scan of the queue, which FerretDB v1 does for any filter but `_id`.
 */
@Schema({ collection: 'dependency_waits', timestamps: true, versionKey: false })
export class DependencyWait {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) storeId!: string;
  @Prop({ type: [String], required: true, default: [] }) waiters!: string[];
}

export const DependencyWaitSchema = SchemaFactory.createForClass(DependencyWait);

export function pendingChangeId(key: { storeId: string; entity: string; entityId: string }): string {
  return `${key.storeId}|${key.entity}|${key.entityId}`;
}
// A record has one item: `_id` is `pendingChangeId` of its key, and the unique key also refuses an item written
// without that `_id`. Each other index costs every write of an item (FerretDB evaluates its expression over the
// stored JSON), so only what a query needs is indexed.
PendingChangeSchema.index({ storeId: 1, entity: 1, entityId: 1 }, { unique: true });
// Due selection by due time: a store's due items (claimDue) and the stores with due items (storesWithDueItems). On
// MongoDB these make both O(due); FerretDB v1 answers only `_id` from an index and scans, which stays cheap because
// synced items leave this collection (record_copies), so it holds open work only.
PendingChangeSchema.index({ storeId: 1, status: 1, nextAttemptAt: 1 });
PendingChangeSchema.index({ status: 1, nextAttemptAt: 1 });

/**
 * Indexes earlier versions declared on `pending_changes` that no query needs: claims are found by `_id` plus
 * `claimToken`, and `{status}` is a prefix of `{status, nextAttemptAt}`. Dropped where a deployment still has them
 * (`dropRetiredIndexes`).
 */
export const RETIRED_PENDING_CHANGE_INDEXES = ['claimToken_1', 'status_1'];
