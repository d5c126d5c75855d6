import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * What a store entity became in Xero: one document per (store, entity, entity id). Holds the Xero id, the
 * business key (ContactNumber, Item Code, InvoiceNumber, CreditNoteNumber, payment Reference), the hash of the
 * content last written (unchanged content costs no call) and the money state needed for payments and credits.
 * `pendingHash` is set before a write and cleared after it: a leftover one means an answer may have been lost,
 * so the next attempt looks the business key up in Xero before creating anything.
 */
@Schema({ collection: 'xero_links', timestamps: true, versionKey: false })
export class XeroLink {
  /** `storeId|entity|entityId`: lookups and updates by _id are the fast path on FerretDB. */
  @Prop({ required: true }) _id!: string;
  @Prop({ required: true }) storeId!: string;
  @Prop({ required: true }) entity!: string;
  @Prop({ required: true }) entityId!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) businessKey!: string;
  @Prop() xeroId?: string;
  @Prop() contentHash?: string;
  @Prop() pendingHash?: string;
  @Prop() pendingAt?: Date;
  @Prop() lastSyncedAt?: Date;
  /** Xero's status of the document (AUTHORISED, PAID, VOIDED, …) as last seen. */
  @Prop() xeroStatus?: string;
  @Prop() total?: number;
  @Prop() amountPaid?: number;
  @Prop() amountCredited?: number;
  @Prop() amountDue?: number;
  /** Contact name chosen (a collision adds the email); kept so later updates keep it. */
  @Prop() name?: string;
  /** Invoice or credit note this payment/credit belongs to (Xero id). */
  @Prop() parentXeroId?: string;
  /** Invoices: the Xero contact they were posted to (credit notes of the order reuse it). */
  @Prop() contactXeroId?: string;
  @Prop() currencyCode?: string;
  /** Invoices: the order's increment id (credit notes refer to it). */
  @Prop() orderNumber?: string;
  /**
   * Invoices: the Xero tax type each order line was posted with (by order item id, and `shipping`) and how many
   * store rates it stands for, so the credit notes that refund a line use the tax type it was sold at.
   */
  @Prop({ type: Object }) lineTaxes?: Record<string, { taxType: string; rates: number }>;
  /**
   * Orders: what the store says the customer paid (Magento's total_paid) in the latest order content delivered.
   * A credit memo naming no store invoice refunds paid money once Xero has that payment; until then it waits.
   */
  @Prop() storePaid?: number;
  /** Credit notes: amounts applied so far by allocation and by refund payment. */
  @Prop() allocated?: number;
  @Prop() refunded?: number;
  @Prop() lastError?: string;
}

export const XeroLinkSchema = SchemaFactory.createForClass(XeroLink);
XeroLinkSchema.index({ storeId: 1, entity: 1, entityId: 1 }, { unique: true });
XeroLinkSchema.index({ tenantId: 1, entity: 1, businessKey: 1 });
