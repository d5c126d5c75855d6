import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ScalarFields } from '../scalar-fields';

/** What a budget document is: a concurrent-call slot, a minute-window slot, or the org's shared state. */
export type BudgetSlotKind = 'inflight' | 'minute' | 'state';

/** Slot documents: slot `n`, its epoch and holder, and when it is free again (minute slot: answer time + one minute). */
const SLOT_FIELDS = { slot: Number, epoch: Number, owner: String, expiresAt: Date };

/**
 * State document: no process calls the org before `retryAfterUntil` (Xero's Retry-After); a process opened the org's
 * breaker and every process refuses calls until `breakerOpenUntil`.
 */
const STATE_FIELDS = { retryAfterUntil: Date, breakerOpenUntil: Date };

/**
 * One document of an org's fleet-wide Xero budget (`org` = the Xero tenant id). Slot documents
 * (`_id` = `<org>:<kind>:<n>#<epoch>`) are claimed by inserting the next epoch of slot `n` under the unique `_id`, so
 * of several processes exactly one gets it on FerretDB and MongoDB alike; a slot is busy while its newest epoch has
 * not expired. The org's state document (`_id` = `<org>:state`) carries what every process must obey: Xero's
 * Retry-After and an open breaker.
 */
@Schema({ collection: 'budget_slots', versionKey: false })
export class BudgetSlot extends ScalarFields({
  required: { org: String },
  optional: { ...SLOT_FIELDS, ...STATE_FIELDS },
}) {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) kind!: BudgetSlotKind;
}

export const BudgetSlotSchema = SchemaFactory.createForClass(BudgetSlot);
BudgetSlotSchema.index({ org: 1 });
