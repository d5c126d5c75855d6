import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { XeroLink } from './xero-link.schema';

export type XeroLinkRecord = Omit<XeroLink, never> & { id: string; createdAt?: Date; updatedAt?: Date };
export type XeroLinkKey = Pick<XeroLink, 'storeId' | 'entity' | 'entityId'>;
/** Fields a successful write records. */
export type XeroLinkUpdate = Partial<Omit<XeroLink, 'storeId' | 'entity' | 'entityId'>>;

type Lean = XeroLink & { _id: { toString(): string }; createdAt?: Date; updatedAt?: Date };

function toRecord(doc: Lean): XeroLinkRecord {
  const { _id, ...rest } = doc;
  return { id: _id.toString(), ...rest };
}

/** Store entity ↔ Xero document links. Returns plain objects. */
@Injectable()
export class XeroLinkRepository {
  constructor(@InjectModel(XeroLink.name) private readonly model: Model<XeroLink>) {}

  async find(key: XeroLinkKey): Promise<XeroLinkRecord | null> {
    const doc = await this.model.findOne(key).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  /** Links of many entities of one kind in one query. */
  async findMany(storeId: string, entity: string, entityIds: string[]): Promise<XeroLinkRecord[]> {
    if (entityIds.length === 0) return [];
    const docs = await this.model
      .find({ storeId, entity, entityId: { $in: entityIds } })
      .lean<Lean[]>()
      .exec();
    return docs.map(toRecord);
  }

  /** Another link of the org (any store) already using a business key, e.g. to detect a shortened-code clash. */
  async findByBusinessKey(tenantId: string, entity: string, businessKey: string): Promise<XeroLinkRecord | null> {
    const doc = await this.model.findOne({ tenantId, entity, businessKey }).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  /** Records an attempt before the write (see `pendingHash`), creating the link if needed. */
  async markPending(
    key: XeroLinkKey,
    tenantId: string,
    businessKey: string,
    pendingHash: string,
    at = new Date(),
  ): Promise<void> {
    await this.model
      .updateOne(key, { $set: { tenantId, businessKey, pendingHash, pendingAt: at } }, { upsert: true })
      .exec();
  }

  /** Records a confirmed write: Xero id, content hash and document state; clears the pending marker. */
  async markSynced(key: XeroLinkKey, update: XeroLinkUpdate, at = new Date()): Promise<void> {
    await this.model
      .updateOne(
        key,
        { $set: { ...update, lastSyncedAt: at }, $unset: { pendingHash: 1, pendingAt: 1, lastError: 1 } },
        { upsert: true },
      )
      .exec();
  }

  /** Updates document state without touching the content hash (e.g. amounts after a payment). */
  async update(key: XeroLinkKey, update: XeroLinkUpdate): Promise<void> {
    await this.model.updateOne(key, { $set: update }).exec();
  }

  /** Atomically adds to the paid/credited amounts of a document link. */
  async addAmounts(
    key: XeroLinkKey,
    inc: { amountPaid?: number; amountCredited?: number; amountDue?: number; allocated?: number; refunded?: number },
  ): Promise<void> {
    const $inc = Object.fromEntries(Object.entries(inc).filter(([, v]) => v !== undefined && v !== 0));
    if (Object.keys($inc).length === 0) return;
    await this.model.updateOne(key, { $inc }).exec();
  }

  async markFailed(key: XeroLinkKey, message: string): Promise<void> {
    await this.model.updateOne(key, { $set: { lastError: message } }).exec();
  }

  async countByStore(storeId: string, entity?: string): Promise<number> {
    return this.model.countDocuments(entity ? { storeId, entity } : { storeId }).exec();
  }
}
