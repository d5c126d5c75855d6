import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { insertManyNew } from '../insert-new';
import { findByIds } from '../update-where';
import { upsertRacing } from '../upsert-racing';
import { XeroLink } from './xero-link.schema';

export type XeroLinkRecord = Omit<XeroLink, '_id'> & { id: string; createdAt?: Date; updatedAt?: Date };
export type XeroLinkKey = Pick<XeroLink, 'storeId' | 'entity' | 'entityId'>;
/** Fields a successful write records. */
export type XeroLinkUpdate = Partial<Omit<XeroLink, '_id' | 'storeId' | 'entity' | 'entityId'>>;

/** A durable marker of a write about to be attempted (see `pendingHash`). */
export interface XeroLinkPending {
  key: XeroLinkKey;
  tenantId: string;
  businessKey: string;
  pendingHash: string;
}

/**
 * One link write: `synced` records a confirmed write (as markSynced: creates the link if needed, stamps
 * lastSyncedAt, clears the pending marker and last error), otherwise the fields are set on an existing link only
 * (as update).
 */
export interface XeroLinkWrite {
  key: XeroLinkKey;
  update: XeroLinkUpdate;
  synced: boolean;
}

type Lean = XeroLink & { createdAt?: Date; updatedAt?: Date };

function toRecord(doc: Lean): XeroLinkRecord {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

/** The document id of a link. */
export function xeroLinkId(key: XeroLinkKey): string {
  return `${key.storeId}|${key.entity}|${key.entityId}`;
}

function byId(key: XeroLinkKey) {
  return { _id: xeroLinkId(key) };
}

function keyFields(key: XeroLinkKey): XeroLinkKey {
  return { storeId: key.storeId, entity: key.entity, entityId: key.entityId };
}

/** Store entity ↔ Xero document links. Returns plain objects. */
@Injectable()
export class XeroLinkRepository {
  constructor(@InjectModel(XeroLink.name) private readonly model: Model<XeroLink>) {}

  async find(key: XeroLinkKey): Promise<XeroLinkRecord | null> {
    const doc = await this.model.findById(xeroLinkId(key)).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  /** Links of many entities of one kind in one query. */
  async findMany(storeId: string, entity: string, entityIds: string[]): Promise<XeroLinkRecord[]> {
    // By `_id` list (see findByIds: one query where the engine indexes it, else one lookup per id).
    const ids = entityIds.map((entityId) => xeroLinkId({ storeId, entity, entityId }));
    return (await findByIds<XeroLink, Lean>(this.model, ids)).map(toRecord);
  }

  /** Links of any entities by key, in one query (a delivery's own records, read before its stages). */
  async findKeys(keys: XeroLinkKey[]): Promise<XeroLinkRecord[]> {
    const ids = [...new Set(keys.map(xeroLinkId))];
    return ids.length === 0 ? [] : (await findByIds<XeroLink, Lean>(this.model, ids)).map(toRecord);
  }

  /** Another link of the org (any store) already using a business key, e.g. to detect a shortened-code clash. */
  async findByBusinessKey(tenantId: string, entity: string, businessKey: string): Promise<XeroLinkRecord | null> {
    const doc = await this.model.findOne({ tenantId, entity, businessKey }).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  /**
   * Inserts links that do not exist yet in one round trip (FerretDB serialises writes, so one insertMany is far
   * cheaper than many upserts). Returns the keys that already existed (a concurrent writer), for the caller to
   * update instead.
   */
  async insertNew(
    docs: (XeroLinkKey & XeroLinkUpdate & { tenantId: string; businessKey: string })[],
    at = new Date(),
  ): Promise<XeroLinkKey[]> {
    const refused = await insertManyNew(
      this.model,
      docs.map((d) => ({ ...d, _id: xeroLinkId(d), lastSyncedAt: d.xeroId ? at : undefined })),
    );
    return refused.map((i) => docs[i]).map((d) => ({ storeId: d.storeId, entity: d.entity, entityId: d.entityId }));
  }

  /** Records an attempt before the write (see `pendingHash`), creating the link if needed. */
  async markPending(
    key: XeroLinkKey,
    tenantId: string,
    businessKey: string,
    pendingHash: string,
    at = new Date(),
  ): Promise<void> {
    await this.markPendingMany([{ key, tenantId, businessKey, pendingHash }], at);
  }

  /** Records many attempts before their writes in one command (see markPending and bulkById). */
  async markPendingMany(marks: XeroLinkPending[], at = new Date()): Promise<void> {
    await this.bulkById(
      marks.map((m) => ({
        key: m.key,
        update: {
          $set: {
            ...keyFields(m.key),
            tenantId: m.tenantId,
            businessKey: m.businessKey,
            pendingHash: m.pendingHash,
            pendingAt: at,
          },
        },
        upsert: true,
      })),
    );
  }

  /** Records a confirmed write: Xero id, content hash and document state; clears the pending marker. */
  async markSynced(key: XeroLinkKey, update: XeroLinkUpdate, at = new Date()): Promise<void> {
    await this.writeMany([{ key, update, synced: true }], at);
  }

  /** Updates document state without touching the content hash (e.g. amounts after a payment). */
  async update(key: XeroLinkKey, update: XeroLinkUpdate): Promise<void> {
    await this.writeMany([{ key, update, synced: false }]);
  }

  /** Applies many link writes (confirmed ones and plain updates, see XeroLinkWrite) in one command. */
  async writeMany(writes: XeroLinkWrite[], at = new Date()): Promise<void> {
    await this.bulkById(
      writes.map((w) =>
        w.synced
          ? {
              key: w.key,
              update: {
                $set: { ...w.update, lastSyncedAt: at },
                $setOnInsert: keyFields(w.key),
                $unset: { pendingHash: 1, pendingAt: 1, lastError: 1 },
              },
              upsert: true,
            }
          : { key: w.key, update: { $set: w.update }, upsert: false },
      ),
    );
  }

  /** Atomically adds to the paid/credited amounts of a document link. */
  async addAmounts(
    key: XeroLinkKey,
    inc: { amountPaid?: number; amountCredited?: number; amountDue?: number; allocated?: number; refunded?: number },
  ): Promise<void> {
    const $inc = Object.fromEntries(Object.entries(inc).filter(([, v]) => v !== undefined && v !== 0));
    if (Object.keys($inc).length === 0) return;
    await this.model.updateOne(byId(key), { $inc }).exec();
  }

  async markFailed(key: XeroLinkKey, message: string): Promise<void> {
    await this.model.updateOne(byId(key), { $set: { lastError: message } }).exec();
  }

  async countByStore(storeId: string, entity?: string): Promise<number> {
    return this.model.countDocuments(entity ? { storeId, entity } : { storeId }).exec();
  }

  /**
   * One unordered bulkWrite of `updateMany`s, each on one link's `_id`: by `_id` because FerretDB v1 answers any
   * other filter by parsing every link; `updateMany` because it holds a connection per single-document
   * (`updateOne`) statement until the whole command ends (docs/architecture.md), while on a unique `_id` both
   * change the same one document. Every statement is idempotent, so a duplicate key (two upserts of one new link
   * raced) runs the batch once more, when the link exists.
   */
  private async bulkById(
    statements: { key: XeroLinkKey; update: Record<string, unknown>; upsert: boolean }[],
  ): Promise<void> {
    if (statements.length === 0) return;
    const ops = statements.map((s) => ({ updateMany: { filter: byId(s.key), update: s.update, upsert: s.upsert } }));
    await upsertRacing(() => this.model.bulkWrite(ops, { ordered: false }));
  }
}
