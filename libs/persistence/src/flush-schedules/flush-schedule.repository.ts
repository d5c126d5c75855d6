import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { insertManyNew } from '../insert-new';
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
   * due work at once; one read per store made the tick's cost grow with the number of stores). Stores seen for the
   * first time get their schedules created as scheduleOf creates them, in one insert (a schedule another syncer
   * created first is kept and read back).
   */
  async schedulesOf(storeIds: string[], now = new Date()): Promise<Map<string, FlushScheduleRecord>> {
    const unique = [...new Set(storeIds)];
    const byId = new Map<string, FlushScheduleRecord>();
    const read = async (ids: string[]) => {
      const docs = await this.model
        .find({ _id: { $in: ids } })
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
    };
    if (unique.length === 0) return byId;
    await read(unique);
    const missing = unique.filter((storeId) => !byId.has(storeId));
    if (missing.length === 0) return byId;
    const refused = new Set(
      await insertManyNew(
        this.model,
        missing.map((storeId) => ({ _id: storeId, firstSeenAt: now })),
      ),
    );
    for (const [i, storeId] of missing.entries()) if (!refused.has(i)) byId.set(storeId, { storeId, firstSeenAt: now });
    if (refused.size > 0) await read(missing.filter((_, i) => refused.has(i)));
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

  /**
   * Records a completed flush; a Sync Now request that arrived after the flush started stays pending. One command
   * when no request is pending (a Cron Job slot's flush, almost every flush), three when one is.
   */
  async markFlushed(storeId: string, startedAt: Date, now = new Date()): Promise<void> {
    const lastFlush = { $set: { lastFlushAt: now } };
    const unrequested = await updateWhere(this.model, [
      { id: storeId, where: { flushRequestedAt: { $exists: false } }, update: lastFlush },
    ]);
    if (unrequested > 0) return;
    await updateWhere(this.model, [
      { id: storeId, where: { flushRequestedAt: { $lte: startedAt } }, update: { $unset: { flushRequestedAt: '' } } },
    ]);
    await this.model.updateOne({ _id: storeId }, lastFlush).exec();
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
