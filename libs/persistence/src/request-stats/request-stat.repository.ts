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
  /** Calls by process class (`sync`, `sync-now`, `read`). */
  byClass: Record<string, number>;
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
  /** Which kind of work the call served (default `sync`). */
  callClass?: string;
  /** The process that made it (default `default`); each process counts into its own document. */
  instance?: string;
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

const addInto = (into: Record<string, number>, from: Record<string, number> | undefined) => {
  for (const [k, n] of Object.entries(from ?? {})) into[k] = (into[k] ?? 0) + n;
};

/** One record per org and day: the instances' counts summed, the quota headers of the latest call. */
function summed(docs: Lean[]): RequestStatRecord[] {
  const byKey = new Map<string, { record: RequestStatRecord; lastAt: number }>();
  for (const d of docs) {
    const key = `${d.tenantId}|${d.day}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = {
        record: { tenantId: d.tenantId, day: d.day, calls: 0, http429: 0, failed: 0, byEndpoint: {}, byClass: {} },
        lastAt: -1,
      };
      byKey.set(key, entry);
    }
    const r = entry.record;
    r.calls += d.calls ?? 0;
    r.http429 += d.http429 ?? 0;
    r.failed += d.failed ?? 0;
    addInto(r.byEndpoint, d.byEndpoint);
    addInto(r.byClass, d.byClass);
    const at = d.lastCallAt?.getTime() ?? 0;
    if (at > entry.lastAt) {
      entry.lastAt = at;
      r.lastCallAt = d.lastCallAt;
      for (const f of ['dayRemaining', 'minuteRemaining', 'appMinuteRemaining'] as const) {
        if (d[f] !== undefined) r[f] = d[f];
      }
    }
  }
  return [...byKey.values()].map((e) => e.record);
}

/** Daily Xero call counters per org (pre-aggregated per process, summed on read). */
@Injectable()
export class RequestStatsRepository {
  constructor(@InjectModel(RequestStat.name) private readonly model: Model<RequestStat>) {}

  /**
   * Counts one call in the calling process's own document (one $inc upsert by `_id`); remaining-quota headers,
   * when present, overwrite the last seen values. A process must not run two of these at once (see the schema).
   */
  async recordCall(call: RecordedCall): Promise<void> {
    await this.recordCalls([call]);
  }

  /**
   * Counts several calls in one command: one $inc upsert per org, day and instance, the calls' counts summed and the
   * latest call's quota headers kept. As with recordCall, a process runs one of these at a time.
   */
  async recordCalls(calls: RecordedCall[]): Promise<void> {
    const byId = new Map<string, { $inc: Record<string, number>; $set: Record<string, unknown> }>();
    for (const call of calls) {
      const day = utcDay(call.at);
      const instance = call.instance ?? 'default';
      const _id = `${call.tenantId}|${day}|${instance}`;
      const entry = byId.get(_id) ?? { $inc: {}, $set: {} };
      byId.set(_id, entry);
      const add = (field: string, n: number) => (entry.$inc[field] = (entry.$inc[field] ?? 0) + n);
      add('calls', 1);
      add(`byEndpoint.${call.endpoint}`, 1);
      add(`byClass.${call.callClass ?? 'sync'}`, 1);
      add('http429', call.status === 429 ? 1 : 0);
      add('failed', call.status >= 400 || call.status === 0 ? 1 : 0);
      const last = entry.$set.lastCallAt as Date | undefined;
      if (last && last > call.at) continue;
      Object.assign(entry.$set, { lastCallAt: call.at, tenantId: call.tenantId, day, instance });
      if (call.dayRemaining !== undefined) entry.$set.dayRemaining = call.dayRemaining;
      if (call.minuteRemaining !== undefined) entry.$set.minuteRemaining = call.minuteRemaining;
      if (call.appMinuteRemaining !== undefined) entry.$set.appMinuteRemaining = call.appMinuteRemaining;
    }
    const ops = [...byId].map(([_id, update]) => ({ updateOne: { filter: { _id }, update, upsert: true } }));
    if (ops.length === 0) return;
    try {
      await this.model.bulkWrite(ops, { ordered: false });
    } catch (err) {
      // Upserts of a new `_id` racing (they should not: one writer per document): the losers run again, once.
      const errors = (err as { writeErrors?: { index: number; code?: number }[] }).writeErrors;
      if (!errors || errors.length === 0 || !errors.every(isDuplicateKeyError)) throw err;
      await this.model.bulkWrite(
        errors.map((e) => ops[e.index]),
        { ordered: false },
      );
    }
  }

  async get(tenantId: string, day: string): Promise<RequestStatRecord | null> {
    const docs = await this.model.find({ tenantId, day }).lean<Lean[]>().exec();
    return summed(docs)[0] ?? null;
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
    return summed(docs);
  }
}
