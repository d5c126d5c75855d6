import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { findPage } from '../find-page';
import { withId } from '../with-id';
import { Model, QueryFilter, SortOrder } from 'mongoose';
import { SyncLog, SyncLogMode, SyncLogStatus } from './sync-log.schema';
import { storeScopeCondition } from '../store-scope';

export interface SyncLogRecord {
  id: string;
  storeId: string;
  tenantId?: string;
  entity: string;
  entityId: string;
  action: string;
  status: SyncLogStatus;
  message: string;
  errorCode?: string;
  xeroId?: string;
  xeroUrl?: string;
  durationMs: number;
  calls: number;
  mode: SyncLogMode;
  correlationId?: string;
  eventId?: string;
  attempt: number;
  nextAttemptAt?: Date;
  syncerId?: string;
  createdAt: Date;
}

export type NewSyncLogEntry = Omit<SyncLogRecord, 'id' | 'createdAt'>;

/** Filters of the "View Log" screen; every field optional, all given ones must hold. */
export interface SyncLogFilter {
  storeId?: string;
  /** Only rows of these stores (an API key's scope); undefined = every store, empty = none. */
  storeIds?: readonly string[];
  tenantId?: string;
  entity?: string;
  entityId?: string;
  status?: SyncLogStatus;
  mode?: SyncLogMode;
  correlationId?: string;
  /** Inclusive lower / exclusive upper bound on createdAt. */
  from?: Date;
  to?: Date;
  /** Case-insensitive substring of the message, entity id or Xero id; matched literally (not a regex). */
  text?: string;
}

export const SYNC_LOG_SORT_FIELDS = ['createdAt', 'durationMs', 'entity', 'status', 'storeId'] as const;
export type SyncLogSortField = (typeof SYNC_LOG_SORT_FIELDS)[number];

export interface SyncLogPage {
  /** 1-based. */
  page?: number;
  /** 1..500, default 50. */
  pageSize?: number;
  sort?: SyncLogSortField;
  order?: 'asc' | 'desc';
}

export interface SyncLogSearchResult {
  items: SyncLogRecord[];
  total: number;
  page: number;
  pageSize: number;
}

/** Escapes regex metacharacters so user text is matched literally (no pattern or operator injection). */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

type Lean = SyncLog & { _id: { toString(): string } };

const toRecord = (doc: Lean): SyncLogRecord => withId(doc);

/** The sync log (one row per attempt) and its filtered, paged queries for admin-api. */
@Injectable()
export class SyncLogRepository {
  constructor(@InjectModel(SyncLog.name) private readonly model: Model<SyncLog>) {}

  async append(entries: NewSyncLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // Rows written together carry one time: they record one attempt of several records (a delivery's stages, which
    // decide the order of Xero's writes, are not the order of the rows).
    const at = new Date();
    await this.model.insertMany(
      entries.map((e) => ({ createdAt: at, ...e })),
      { ordered: false },
    );
  }

  /** Retention: deletes the rows written before `cutoff`; returns how many. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    return (await this.model.deleteMany({ createdAt: { $lt: cutoff } }).exec()).deletedCount;
  }

  /**
   * One page of rows matching `filter`, newest first unless `page.sort`/`order` say otherwise, with the total
   * count of matches. Filter values are used as literal values only (strings are never parsed as operators).
   */
  async search(filter: SyncLogFilter = {}, page: SyncLogPage = {}): Promise<SyncLogSearchResult> {
    const query = this.toQuery(filter);
    const field: SyncLogSortField = SYNC_LOG_SORT_FIELDS.includes(page.sort as SyncLogSortField)
      ? (page.sort as SyncLogSortField)
      : 'createdAt';
    const dir: SortOrder = page.order === 'asc' ? 1 : -1;
    const sort: Record<string, SortOrder> =
      field === 'createdAt' ? { createdAt: dir } : { [field]: dir, createdAt: -1 };
    const found = await findPage<SyncLog, Lean>(this.model, query, sort, page);
    return { items: found.docs.map(toRecord), total: found.total, page: found.page, pageSize: found.pageSize };
  }

  /** Every row of one record, oldest first (its full history). */
  async historyOf(storeId: string, entity: string, entityId: string): Promise<SyncLogRecord[]> {
    const docs = await this.model.find({ storeId, entity, entityId }).sort({ createdAt: 1 }).lean<Lean[]>().exec();
    return docs.map(toRecord);
  }

  async count(filter: SyncLogFilter = {}): Promise<number> {
    return this.model.countDocuments(this.toQuery(filter)).exec();
  }

  private toQuery(filter: SyncLogFilter): QueryFilter<SyncLog> {
    const query: QueryFilter<SyncLog> = {};
    const exact = ['storeId', 'tenantId', 'entity', 'entityId', 'status', 'mode', 'correlationId'] as const;
    for (const key of exact) {
      const value = filter[key];
      // String() so an object smuggled in by a caller can never act as a query operator.
      if (value !== undefined && value !== '') query[key] = String(value);
    }
    if (filter.storeIds) query.storeId = storeScopeCondition(query.storeId, filter.storeIds);
    if (filter.from || filter.to) {
      query.createdAt = {
        ...(filter.from ? { $gte: filter.from } : {}),
        ...(filter.to ? { $lt: filter.to } : {}),
      };
    }
    if (filter.text) {
      const pattern = { $regex: escapeRegex(String(filter.text).slice(0, 200)), $options: 'i' };
      query.$or = [{ message: pattern }, { entityId: pattern }, { xeroId: pattern }];
    }
    return query;
  }
}
