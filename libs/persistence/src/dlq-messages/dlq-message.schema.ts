import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export type DlqMessageStatus = 'new' | 'requeued';

/**
 * A message the syncer could not accept (malformed JSON, schema violation), kept byte-exact so it can be
 * republished to its topic after the producer or the contract is fixed. One document per source position.
 */
@Schema({ collection: 'dlq_messages', versionKey: false, timestamps: true })
export class DlqMessage {
  @Prop({ required: true }) sourceTopic!: string;
  @Prop({ required: true }) partition!: number;
  @Prop({ required: true }) offset!: string;
  @Prop() key?: string;
  /** Best-effort store id (the message key) for filtering; absent when the key is missing. */
  @Prop() storeId?: string;
  /** The original value, base64 (it may not be valid UTF-8 or may hold NUL bytes, which FerretDB refuses). */
  @Prop({ required: true }) valueBase64!: string;
  /** A printable excerpt for the dashboard. */
  @Prop({ required: true }) preview!: string;
  /** Original headers as a list (header names may contain characters not allowed in document keys). */
  @Prop({ type: [{ key: String, value: String, _id: false }], default: [] }) headers!: { key: string; value: string }[];
  @Prop({ required: true }) reason!: string;
  @Prop({ type: [{ path: String, message: String, _id: false }], default: [] }) fieldErrors!: {
    path: string;
    message: string;
  }[];
  @Prop({ type: String, required: true, default: 'new' }) status!: DlqMessageStatus;
  @Prop({ required: true, default: 0 }) requeueCount!: number;
  @Prop() requeuedAt?: Date;
}

export const DlqMessageSchema = SchemaFactory.createForClass(DlqMessage);
DlqMessageSchema.index({ sourceTopic: 1, partition: 1, offset: 1 }, { unique: true });
DlqMessageSchema.index({ storeId: 1, createdAt: -1 });
DlqMessageSchema.index({ status: 1, createdAt: -1 });
