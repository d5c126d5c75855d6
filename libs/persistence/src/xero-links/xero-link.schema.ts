import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ScalarFields } from '../scalar-fields';

/** The store record (store, entity, entity id), the org it went to and its business key there. */
const KEY_FIELDS = { storeId: String, entity: String, entityId: String, tenantId: String, businessKey: String };

/** The Xero id, the hash of the content last written and of a write in progress (see XeroLink), the last error. */
const WRITE_FIELDS = { xeroId: String, contentHash: String, pendingHash: String, pendingAt: Date, lastError: String };

/**
 * When the record last reached Xero, and the document as Xero last showed it: its status (AUTHORISED, PAID, VOIDED,
 * …), currency and money.
 */
const SEEN_FIELDS = { lastSyncedAt: Date, xeroStatus: String, currencyCode: String };
const MONEY_FIELDS = { total: Number, amountPaid: Number, amountCredited: Number, amountDue: Number };

/**
 * Contacts: the name chosen (a collision adds the email), kept so later updates keep it. Payments and credits: the
 * invoice or credit note they belong to (Xero id). Invoices: the Xero contact they were posted to (credit notes of the
 * order reuse it) and the order's increment id (credit notes refer to it).
 */
const RELATION_FIELDS = { name: String, parentXeroId: String, contactXeroId: String, orderNumber: String };

/**
 * Orders: what the store says the customer paid (Magento's total_paid) in the latest order content delivered; a
 * credit memo naming no store invoice refunds paid money once Xero has that payment, until then it waits. Credit
 * notes: amounts applied so far by allocation and by refund payment.
 */
const SETTLEMENT_FIELDS = { storePaid: Number, allocated: Number, refunded: Number };

/**
 * What a store entity became in Xero: one document per (store, entity, entity id). Holds the Xero id, the
 * business key (ContactNumber, Item Code, InvoiceNumber, CreditNoteNumber, payment Reference), the hash of the
 * content last written (unchanged content costs no call) and the money state needed for payments and credits.
 * `pendingHash` is set before a write and cleared after it: a leftover one means an answer may have been lost,
 * so the next attempt looks the business key up in Xero before creating anything.
 */
@Schema({ collection: 'xero_links', timestamps: true, versionKey: false })
export class XeroLink extends ScalarFields({
  required: KEY_FIELDS,
  optional: { ...WRITE_FIELDS, ...SEEN_FIELDS, ...MONEY_FIELDS, ...RELATION_FIELDS, ...SETTLEMENT_FIELDS },
}) {
  /** `storeId|entity|entityId`: lookups and updates by _id are the fast path on FerretDB. */
  @Prop({ required: true }) _id!: string;
  /**
   * Invoices: the Xero tax type each order line was posted with (by order item id, and `shipping`) and how many
   * store rates it stands for, so the credit notes that refund a line use the tax type it was sold at.
   */
  @Prop({ type: Object }) lineTaxes?: Record<string, { taxType: string; rates: number }>;
}

export const XeroLinkSchema = SchemaFactory.createForClass(XeroLink);
XeroLinkSchema.index({ storeId: 1, entity: 1, entityId: 1 }, { unique: true });
XeroLinkSchema.index({ tenantId: 1, entity: 1, businessKey: 1 });
