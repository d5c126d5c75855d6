import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '../persistence.errors';
import { FlushLease } from './flush-lease.schema';

export interface FlushSchedule {
  storeId: string;
  firstSeenAt: Date;
  lastFlushAt?: Date;
  flushRequestedAt?: Date;
}

export interface LeaseHolder {
  key: string;
  owner?: string;
  leaseUntil?: Date;
}

const scheduleId = (storeId: string) => `schedule:${storeId}`;

/** Flush leases (one owner per org at a time, with expiry) and per-store flush schedules. */
@Injectable()
export class FlushLeaseRepository {
  constructor(@InjectModel(FlushLease.name) private readonly model: Model<FlushLease>) {}

  /**
   * Takes the lease `key` for `owner` until now + ttlMs if it is free, expired or already `owner`'s.
   * Atomic (one findAndModify; a lost upsert race surfaces as a duplicate key), so at most one owner holds it.
   */
  async tryAcquire(key: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    try {
      const doc = await this.model
        .findOneAndUpdate(
          { _id: key, $or: [{ owner: { $exists: false } }, { owner }, { leaseUntil: { $lt: now } }] },
          { $set: { owner, leaseUntil: new Date(now.getTime() + ttlMs) } },
          { upsert: true, new: true },
        )
        .lean()
        .exec();
      return doc?.owner === owner;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  /** Extends a held lease; false when `owner` no longer holds it (it expired and was taken over). */
  async renew(key: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const res = await this.model
      .updateOne({ _id: key, owner }, { $set: { leaseUntil: new Date(now.getTime() + ttlMs) } })
      .exec();
    return res.matchedCount === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.model.updateOne({ _id: key, owner }, { $unset: { owner: '', leaseUntil: '' } }).exec();
  }

  async holder(key: string): Promise<LeaseHolder | null> {
    const doc = await this.model.findById(key).lean().exec();
    return doc ? { key, owner: doc.owner, leaseUntil: doc.leaseUntil } : null;
  }

  /** The store's flush schedule, created on first sight (its interval counts from then). */
  async scheduleOf(storeId: string, now = new Date()): Promise<FlushSchedule> {
    const doc = await this.model
      .findOneAndUpdate({ _id: scheduleId(storeId) }, { $setOnInsert: { firstSeenAt: now } }, { upsert: true, new: true })
      .lean()
      .exec();
    return {
      storeId,
      firstSeenAt: doc!.firstSeenAt ?? now,
      lastFlushAt: doc!.lastFlushAt,
      flushRequestedAt: doc!.flushRequestedAt,
    };
  }

  /** "Sync Now": asks whichever syncer gets the lease next to flush the store regardless of its interval. */
  async requestFlush(storeId: string, now = new Date()): Promise<void> {
    await this.model
      .updateOne({ _id: scheduleId(storeId) }, { $set: { flushRequestedAt: now }, $setOnInsert: { firstSeenAt: now } }, { upsert: true })
      .exec();
  }

  /** Records a completed flush; a Sync Now request that arrived after the flush started stays pending. */
  async markFlushed(storeId: string, startedAt: Date, now = new Date()): Promise<void> {
    await this.model
      .updateOne({ _id: scheduleId(storeId), flushRequestedAt: { $lte: startedAt } }, { $unset: { flushRequestedAt: '' } })
      .exec();
    await this.model.updateOne({ _id: scheduleId(storeId) }, { $set: { lastFlushAt: now } }).exec();
  }

  /** Stores with an outstanding Sync Now request. */
  async storesWithFlushRequests(): Promise<string[]> {
    const docs = await this.model
      .find({ _id: { $regex: '^schedule:' }, flushRequestedAt: { $exists: true } }, { _id: 1 })
      .lean()
      .exec();
    return docs.map((d) => String(d._id).slice('schedule:'.length));
  }
}
