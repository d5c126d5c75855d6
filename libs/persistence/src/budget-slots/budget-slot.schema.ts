import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** What a budget document is: a concurrent-call slot, a minute-window slot, or the org's shared state. */
export type BudgetSlotKind = 'inflight' | 'minute' | 'state';

/**
 * One document of an org's fleet-wide Xero budget. Slot documents (`_id` = `<org>:<kind>:<n>#<epoch>`) are claimed
 * by inserting the next epoch of slot `n` under the unique `_id`, so of several processes exactly one gets it on
 * FerretDB and MongoDB alike; a slot is busy while its newest epoch has not expired. The org's state document
 * (`_id` = `<org>:state`) carries what every process must obey: Xero's Retry-After and an open breaker.
 */
@Schema({ collection: 'budget_slots', versionKey: false })
export class BudgetSlot {
  @Prop({ type: String, required: true }) _id!: string;
  /** The Xero tenant id. */
  @Prop({ required: true }) org!: string;
  @Prop({ type: String, required: true }) kind!: BudgetSlotKind;
  @Prop() slot?: number;
  @Prop() epoch?: number;
  @Prop() owner?: string;
  /** When the slot is free again: for a minute slot, the answer's time + one Xero minute. */
  @Prop() expiresAt?: Date;
  /** State document: no process calls the org before this (Xero's Retry-After). */
  @Prop() retryAfterUntil?: Date;
  /** State document: a process opened the org's breaker; every process refuses calls until this. */
  @Prop() breakerOpenUntil?: Date;
}

export const BudgetSlotSchema = SchemaFactory.createForClass(BudgetSlot);
BudgetSlotSchema.index({ org: 1 });
