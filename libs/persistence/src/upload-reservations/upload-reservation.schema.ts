import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ScalarFields } from '../scalar-fields';

/**
 * One NDJSON upload's claim on its store's fleet-wide limits (`_id` = the upload's job id): `bytes` (the declared
 * length) count against the store's spool bytes until the document is deleted, and while `uploading` it also takes
 * one of the store's concurrent upload slots. Only the owning ingest process writes it; it is live until
 * `expiresAt`, which the owner keeps moving forward, so a crashed owner's reservation lapses.
 */
@Schema({ collection: 'upload_reservations', versionKey: false })
export class UploadReservation extends ScalarFields({
  required: { storeId: String, bytes: Number, owner: String, uploading: Boolean, expiresAt: Date },
}) {
  @Prop({ type: String, required: true }) _id!: string;
}

export const UploadReservationSchema = SchemaFactory.createForClass(UploadReservation);
UploadReservationSchema.index({ storeId: 1 });
