import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { updateWhere } from '../update-where';
import { FlushSchedule } from './flush-schedule.schema';

/** A store's flush timing as the flush scheduler reads it. */
export interface FlushScheduleRecord {
  storeId: string;
  firstSeenAt: Date;
  lastFlushAt?: Date;
  flushRequestedAt?: Date;
}

/** Per-store flush schedules: interval bookkeeping and pending "Sync Now" requests. */
@Injectable()
export class FlushScheduleRepository {
  constructor(@InjectModel(FlushSchedule.name) private readonly model: Model<FlushSchedule>) {}

  /** The store's flush schedule, created on first sight (its interval counts from then). */
  async scheduleOf(storeId: string, now = new Date()): Promise<FlushScheduleRecord> {
    const doc = await this.model
      .findOneAndUpdate(
        { _id: storeId },
        { $setOnInsert: { firstSeenAt: now } },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<FlushSchedule>()
      .exec();
    return {
      storeId,
      firstSeenAt: doc?.firstSeenAt ?? now,
      lastFlushAt: doc?.lastFlushAt,
      flushRequestedAt: doc?.flushRequestedAt,
    };
  }

  /**
   * The flush schedules of many stores in one read by `_id` (the flush scheduler's tick asks for every store with
   * due work at once; one read per store made the tick's cost grow with the number of stores). A store seen for the
   * first time gets its schedule created as scheduleOf creates it; that happens once per store.
   */
  async schedulesOf(storeIds: string[], now = new Date()): Promise<Map<string, FlushScheduleRecord>> {
    const unique = [...new Set(storeIds)];
    const byId = new Map<string, FlushScheduleRecord>();
    if (unique.length === 0) return byId;
    const docs = await this.model
      .find({ _id: { $in: unique } })
      .lean<FlushSchedule[]>()
      .exec();
    for (const d of docs) {
      byId.set(d._id, {
        storeId: d._id,
        firstSeenAt: d.firstSeenAt,
        lastFlushAt: d.lastFlushAt,
        flushRequestedAt: d.flushRequestedAt,
      });
    }
    for (const storeId of unique) if (!byId.has(storeId)) byId.set(storeId, await this.scheduleOf(storeId, now));
    return byId;
  }

  /** "Sync Now": asks whichever syncer gets the flush lease next to flush the store regardless of its interval. */
  async requestFlush(storeId: string, now = new Date()): Promise<void> {
    await this.model
      .updateOne(
        { _id: storeId },
        { $set: { flushRequestedAt: now }, $setOnInsert: { firstSeenAt: now } },
        { upsert: true },
      )
      .exec();
  }

  /** Records a completed flush; a Sync Now request that arrived after the flush started stays pending. */
  async markFlushed(storeId: string, startedAt: Date, now = new Date()): Promise<void> {
    await updateWhere(this.model, [
      { id: storeId, where: { flushRequestedAt: { $lte: startedAt } }, update: { $unset: { flushRequestedAt: '' } } },
    ]);
    await this.model.updateOne({ _id: storeId }, { $set: { lastFlushAt: now } }).exec();
  }

  /** Stores with an outstanding Sync Now request. */
  async storesWithFlushRequests(): Promise<string[]> {
    const docs = await this.model
      .find({ flushRequestedAt: { $exists: true } }, { _id: 1 })
      .lean<{ _id: string }[]>()
      .exec();
    return docs.map((d) => d._id);
  }
}
