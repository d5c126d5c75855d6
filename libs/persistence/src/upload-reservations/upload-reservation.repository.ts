import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { UploadReservation } from './upload-reservation.schema';

/** A reservation as stored. */
export interface UploadReservationRecord {
  uploadId: string;
  storeId: string;
  bytes: number;
  owner: string;
  uploading: boolean;
  expiresAt: Date;
}

const record = (doc: UploadReservation): UploadReservationRecord => ({
  uploadId: doc._id,
  storeId: doc.storeId,
  bytes: doc.bytes,
  owner: doc.owner,
  uploading: doc.uploading,
  expiresAt: doc.expiresAt,
});

/**
 * The `upload_reservations` collection: per-store NDJSON upload limits that hold for every ingest process at once.
 * Nothing exclusive is decided by an update (FerretDB v1 does not serialise concurrent conditional updates of one
 * document): an upload inserts its own document, then reads its store's reservations and, when they are over a
 * limit, deletes its own again. Of racers each sees the others' inserts or is seen by them, so they may all refuse
 * but never all pass. Every write after the insert addresses one process's own documents by `_id`.
 */
@Injectable()
export class UploadReservationRepository {
  constructor(@InjectModel(UploadReservation.name) private readonly model: Model<UploadReservation>) {}

  /** Inserts a new reservation, uploading. */
  async insert(reservation: Omit<UploadReservationRecord, 'uploading'>): Promise<void> {
    const { uploadId, ...fields } = reservation;
    await this.model.create({ _id: uploadId, ...fields, uploading: true });
  }

  /**
   * Writes a reservation for bytes already spooled (not uploading), whether or not one with this id is left over:
   * a job resumed from its spool after its process died. Only the process holding the spool writes this id.
   */
  async putSpooled(reservation: Omit<UploadReservationRecord, 'uploading'>): Promise<void> {
    const { uploadId, ...fields } = reservation;
    await this.model.updateOne({ _id: uploadId }, { $set: { ...fields, uploading: false } }, { upsert: true }).exec();
  }

  /** Every reservation of the store, lapsed ones included (the caller tells them apart by `expiresAt`). */
  async findOfStore(storeId: string): Promise<UploadReservationRecord[]> {
    const docs = await this.model.find({ storeId }).lean<UploadReservation[]>().exec();
    return docs.map(record);
  }

  /** The upload's body is spooled: it no longer takes an upload slot, its bytes stay reserved until `expiresAt`. */
  async markUploaded(uploadId: string, expiresAt: Date): Promise<void> {
    await this.model.updateOne({ _id: uploadId }, { $set: { uploading: false, expiresAt } }).exec();
  }

  /** Moves the expiry of the caller's own reservations; ones deleted meanwhile stay deleted. */
  async renew(uploadIds: string[], expiresAt: Date): Promise<void> {
    if (uploadIds.length > 0) await this.model.updateMany({ _id: { $in: uploadIds } }, { $set: { expiresAt } }).exec();
  }

  /** Deletes reservations by id: the caller's own when released or refused, or lapsed ones it read. */
  async deleteMany(uploadIds: string[]): Promise<void> {
    if (uploadIds.length > 0) await this.model.deleteMany({ _id: { $in: uploadIds } }).exec();
  }
}
