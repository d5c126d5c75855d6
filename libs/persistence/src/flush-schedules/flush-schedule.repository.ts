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
