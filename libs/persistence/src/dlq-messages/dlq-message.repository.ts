import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { findPage } from '../find-page';
import { isValidObjectId, Model, QueryFilter } from 'mongoose';
import { DlqMessage, DlqMessageStatus } from './dlq-message.schema';
import { isDuplicateKeyError } from '../persistence.errors';
import { storeScopeCondition } from '../store-scope';

export interface DlqMessageRecord {
  id: string;
  sourceTopic: string;
  partition: number;
  offset: string;
  key?: string;
  storeId?: string;
  valueBase64: string;
  preview: string;
  headers: { key: string; value: string }[];
  reason: string;
  fieldErrors: { path: string; message: string }[];
  status: DlqMessageStatus;
  requeueCount: number;
  requeuedAt?: Date;
  createdAt?: Date;
  updatedAt?: Date;
}

export type NewDlqMessage = Pick<
  DlqMessageRecord,
  | 'sourceTopic'
  | 'partition'
  | 'offset'
  | 'key'
  | 'storeId'
  | 'valueBase64'
  | 'preview'
  | 'headers'
  | 'reason'
  | 'fieldErrors'
>;

export interface DlqMessageFilter {
  storeId?: string;
  /** Only messages of these stores (an API key's scope); undefined = every store, empty = none. */
  storeIds?: readonly string[];
  status?: DlqMessageStatus;
  sourceTopic?: string;
}

type Lean = DlqMessage & { _id: { toString(): string } };

/**
 * A stored row as a record. Rows recorded by an upsert on FerretDB lack empty `headers` and `fieldErrors` (it drops
 * empty arrays from `$setOnInsert`), so a missing list reads as empty.
 */
function toRecord(doc: Lean): DlqMessageRecord {
  const { _id, headers = [], fieldErrors = [], ...rest } = doc;
  return {
    id: _id.toString(),
    ...rest,
    headers: headers.map(({ key, value }) => ({ key, value })),
    fieldErrors: fieldErrors.map(({ path, message }) => ({ path, message })),
  };
}

/** Dead-lettered messages: recorded once per source position, listed, and marked when requeued. */
@Injectable()
export class DlqMessageRepository {
  constructor(@InjectModel(DlqMessage.name) private readonly model: Model<DlqMessage>) {}

  /**
   * Records the message unless its source position is already recorded (a redelivery); returns the stored row. An
   * insert, not an upsert: the unique position index refuses a second row, and an insert stores empty lists as
   * such on FerretDB too.
   */
  async recordOnce(message: NewDlqMessage): Promise<DlqMessageRecord> {
    try {
      const created = await this.model.create({ ...message, status: 'new', requeueCount: 0 });
      return toRecord(created.toObject());
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const recorded = await this.findByPosition(message.sourceTopic, message.partition, message.offset);
      if (!recorded) throw err;
      return recorded;
    }
  }

  /** The row recorded for a source position, if any (a redelivered poison message is recognised by it). */
  async findByPosition(sourceTopic: string, partition: number, offset: string): Promise<DlqMessageRecord | null> {
    const doc = await this.model.findOne({ sourceTopic, partition, offset }).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  async findByIds(ids: string[]): Promise<DlqMessageRecord[]> {
    const valid = ids.filter((id) => isValidObjectId(id));
    if (valid.length === 0) return [];
    const docs = await this.model
      .find({ _id: { $in: valid } })
      .lean<Lean[]>()
      .exec();
    return docs.map(toRecord);
  }

  async markRequeued(ids: string[], at = new Date()): Promise<void> {
    if (ids.length === 0) return;
    await this.model
      .updateMany({ _id: { $in: ids } }, { $set: { status: 'requeued', requeuedAt: at }, $inc: { requeueCount: 1 } })
      .exec();
  }

  /** Dead-lettered messages not requeued yet (DLQ size metric). */
  async countNew(): Promise<number> {
    return this.model.countDocuments({ status: 'new' }).exec();
  }

  /** Newest first, paged, with the total count. */
  async search(
    filter: DlqMessageFilter = {},
    page: { page?: number; pageSize?: number } = {},
  ): Promise<{ items: DlqMessageRecord[]; total: number; page: number; pageSize: number }> {
    const query: QueryFilter<DlqMessage> = {};
    if (filter.storeId) query.storeId = String(filter.storeId);
    if (filter.storeIds) query.storeId = storeScopeCondition(query.storeId, filter.storeIds);
    if (filter.status) query.status = String(filter.status) as DlqMessageStatus;
    if (filter.sourceTopic) query.sourceTopic = String(filter.sourceTopic);
    const found = await findPage<DlqMessage, Lean>(this.model, query, { createdAt: -1 }, page);
    return { items: found.docs.map(toRecord), total: found.total, page: found.page, pageSize: found.pageSize };
  }
}
