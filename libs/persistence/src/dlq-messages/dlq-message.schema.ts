import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ScalarFields } from '../scalar-fields';

export type DlqMessageStatus = 'new' | 'requeued';

/** Where the message was read: one document per source position. */
const POSITION_FIELDS = { sourceTopic: String, partition: Number, offset: String };

/**
 * The original value in base64 (it may not be valid UTF-8 or may hold NUL bytes, which FerretDB refuses), a printable
 * excerpt of it for the dashboard, and why the message was refused.
 */
const CONTENT_FIELDS = { valueBase64: String, preview: String, reason: String };

/**
 * The message key, a best-effort store id (the key) for filtering, both absent when the key is missing; when the
 * message was last requeued.
 */
const OPTIONAL_FIELDS = { key: String, storeId: String, requeuedAt: Date };

/**
 * A message the syncer could not accept (malformed JSON, schema violation), kept byte-exact so it can be
 * republished to its topic after the producer or the contract is fixed. One document per source position.
 */
@Schema({ collection: 'dlq_messages', versionKey: false, timestamps: true })
export class DlqMessage extends ScalarFields({
  required: { ...POSITION_FIELDS, ...CONTENT_FIELDS },
  optional: OPTIONAL_FIELDS,
}) {
  /** Original headers as a list (header names may contain characters not allowed in document keys). */
  @Prop({ type: [{ key: String, value: String, _id: false }], default: [] }) headers!: { key: string; value: string }[];
  @Prop({ type: [{ path: String, message: String, _id: false }], default: [] }) fieldErrors!: {
    path: string;
    message: string;
  }[];
  @Prop({ type: String, required: true, default: 'new' }) status!: DlqMessageStatus;
  @Prop({ required: true, default: 0 }) requeueCount!: number;
}

export const DlqMessageSchema = SchemaFactory.createForClass(DlqMessage);
DlqMessageSchema.index({ sourceTopic: 1, partition: 1, offset: 1 }, { unique: true });
DlqMessageSchema.index({ storeId: 1, createdAt: -1 });
DlqMessageSchema.index({ status: 1, createdAt: -1 });
