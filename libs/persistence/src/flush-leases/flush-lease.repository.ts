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
  leaseUntil: Date;
  epoch: number;
}

const scheduleId = (storeId: string) => `schedule:${storeId}`;

/** Flush leases (one owner per org at a time, with expiry and takeover) and per-store flush schedules. */
@Injectable()
export class FlushLeaseRepository {
  constructor(@InjectModel(FlushLease.name) private readonly model: Model<FlushLease>) {}

  /**
   * Takes the lease `key` for `owner` until now + ttlMs if it is free, expired or already `owner`'s. Taking
   * it over inserts the next epoch document; of several contenders only the one whose insert succeeds wins.
   */
  async tryAcquire(key: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const latest = await this.latestEpoch(key);
    const until = new Date(now.getTime() + ttlMs);
    if (latest && latest.owner === owner && latest.leaseUntil && latest.leaseUntil >= now) {
      return this.renew(key, owner, ttlMs, now);
    }
    if (latest && latest.leaseUntil && latest.leaseUntil >= now) return false;
    const epoch = (latest?.epoch ?? 0) + 1;
    try {
      await this.model.create({ _id: `${key}#${epoch}`, key, epoch, owner, leaseUntil: until });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    // Old epochs only document history; keep the previous one for diagnosis.
    await this.model.deleteMany({ key, epoch: { $lt: epoch - 1 } }).exec();
    return true;
  }

  /** Extends a held lease; false when `owner` no longer holds it (it expired and was taken over). */
  async renew(key: string, owner: string, ttlMs: number, now = new Date()): Promise<boolean> {
    const latest = await this.latestEpoch(key);
    if (!latest || latest.owner !== owner) return false;
    await this.model
      .updateOne({ _id: `${key}#${latest.epoch}`, owner }, { $set: { leaseUntil: new Date(now.getTime() + ttlMs) } })
      .exec();
    // A contender may have inserted the next epoch meanwhile (only possible once ours had expired).
    const after = await this.latestEpoch(key);
    return after !== null && after.epoch === latest.epoch && after.owner === owner;
  }

  async release(key: string, owner: string): Promise<void> {
    const latest = await this.latestEpoch(key);
    if (!latest || latest.owner !== owner) return;
    await this.model.updateOne({ _id: `${key}#${latest.epoch}`, owner }, { $set: { leaseUntil: new Date(0) } }).exec();
  }

  /** Who holds `key` now, if anyone (an expired or released lease has no holder). */
  async holder(key: string, now = new Date()): Promise<LeaseHolder | null> {
    const latest = await this.latestEpoch(key);
    if (!latest?.leaseUntil || latest.leaseUntil < now) return null;
    return { key, owner: latest.owner, leaseUntil: latest.leaseUntil, epoch: latest.epoch ?? 0 };
  }

  private async latestEpoch(key: string): Promise<FlushLease | null> {
    return this.model.findOne({ key }).sort({ epoch: -1 }).lean<FlushLease>().exec();
  }

  /** The store's flush schedule, created on first sight (its interval counts from then). */
  async scheduleOf(storeId: string, now = new Date()): Promise<FlushSchedule> {
    const doc = await this.model
      .findOneAndUpdate(
        { _id: scheduleId(storeId) },
        { $setOnInsert: { firstSeenAt: now } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean()
      .exec();
    return {
      storeId,
      firstSeenAt: doc.firstSeenAt ?? now,
      lastFlushAt: doc.lastFlushAt,
      flushRequestedAt: doc.flushRequestedAt,
    };
  }

  /** "Sync Now": asks whichever syncer gets the lease next to flush the store regardless of its interval. */
  async requestFlush(storeId: string, now = new Date()): Promise<void> {
    await this.model
      .updateOne(
        { _id: scheduleId(storeId) },
        { $set: { flushRequestedAt: now }, $setOnInsert: { firstSeenAt: now } },
        { upsert: true },
      )
      .exec();
  }

  /** Records a completed flush; a Sync Now request that arrived after the flush started stays pending. */
  async markFlushed(storeId: string, startedAt: Date, now = new Date()): Promise<void> {
    await this.model
      .updateOne(
        { _id: scheduleId(storeId), flushRequestedAt: { $lte: startedAt } },
        { $unset: { flushRequestedAt: '' } },
      )
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
