import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { isDuplicateKeyError } from '../persistence.errors';
import { RequestStat } from './request-stat.schema';

export interface RequestStatRecord {
  tenantId: string;
  day: string;
  calls: number;
  http429: number;
  failed: number;
  byEndpoint: Record<string, number>;
  dayRemaining?: number;
  minuteRemaining?: number;
  appMinuteRemaining?: number;
  lastCallAt?: Date;
}

/** One finished Xero call as the stats record it. */
export interface RecordedCall {
  tenantId: string;
  /** Endpoint key without dots or `$`, e.g. `POST_Invoices`. */
  endpoint: string;
  status: number;
  at: Date;
  dayRemaining?: number;
  minuteRemaining?: number;
  appMinuteRemaining?: number;
}

/** The UTC day (YYYY-MM-DD) of an instant. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

type Lean = RequestStat & { _id: unknown };

function toRecord(doc: Lean): RequestStatRecord {
  const { _id, ...rest } = doc as Lean & { createdAt?: Date; updatedAt?: Date };
  delete (rest as { createdAt?: Date }).createdAt;
  delete (rest as { updatedAt?: Date }).updatedAt;
  return { ...rest, byEndpoint: { ...(rest.byEndpoint ?? {}) } };
}

/** Daily Xero call counters per org (pre-aggregated). */
@Injectable()
export class RequestStatsRepository {
  constructor(@InjectModel(RequestStat.name) private readonly model: Model<RequestStat>) {}

  /** Counts one call (one $inc upsert); remaining-quota headers, when present, overwrite the last seen values. */
  async recordCall(call: RecordedCall): Promise<void> {
    const day = utcDay(call.at);
    const $set: Record<string, unknown> = { lastCallAt: call.at };
    if (call.dayRemaining !== undefined) $set.dayRemaining = call.dayRemaining;
    if (call.minuteRemaining !== undefined) $set.minuteRemaining = call.minuteRemaining;
    if (call.appMinuteRemaining !== undefined) $set.appMinuteRemaining = call.appMinuteRemaining;
    const $inc: Record<string, number> = {
      calls: 1,
      [`byEndpoint.${call.endpoint}`]: 1,
      http429: call.status === 429 ? 1 : 0,
      failed: call.status >= 400 || call.status === 0 ? 1 : 0,
    };
    const update = () =>
      this.model.updateOne({ tenantId: call.tenantId, day }, { $inc, $set }, { upsert: true }).exec();
    try {
      await update();
    } catch (err) {
      // Two instances upserting the first call of a day race on the unique index; the loser just retries.
      if (!isDuplicateKeyError(err)) throw err;
      await update();
    }
  }

  async get(tenantId: string, day: string): Promise<RequestStatRecord | null> {
    const doc = await this.model.findOne({ tenantId, day }).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  /** Retention: deletes every org's counters of the UTC days before `day` (YYYY-MM-DD); returns how many. */
  async deleteDaysBefore(day: string): Promise<number> {
    return (await this.model.deleteMany({ day: { $lt: day } }).exec()).deletedCount;
  }

  /** Calls made today (UTC) by all instances for one org. */
  async callsOn(tenantId: string, day: string): Promise<number> {
    return (await this.get(tenantId, day))?.calls ?? 0;
  }

  /** Every org's counters for a range of days (inclusive), newest first. */
  async listDays(fromDay: string, toDay: string, tenantId?: string): Promise<RequestStatRecord[]> {
    const filter: Record<string, unknown> = { day: { $gte: fromDay, $lte: toDay } };
    if (tenantId) filter.tenantId = tenantId;
    const docs = await this.model.find(filter).sort({ day: -1, tenantId: 1 }).lean<Lean[]>().exec();
    return docs.map(toRecord);
  }
}
