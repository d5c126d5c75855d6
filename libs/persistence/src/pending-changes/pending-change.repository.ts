import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { DuplicateKeyError, isDuplicateKeyError } from '../persistence.errors';
import { PendingChange, PendingChangeStatus } from './pending-change.schema';

export interface PendingChangeRecord {
  id: string;
  storeId: string;
  entity: string;
  entityId: string;
  eventId: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
  status: PendingChangeStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
  correlationId?: string;
  leaseOwner?: string;
  leaseUntil?: Date;
}

export type NewPendingChange = Pick<
  PendingChangeRecord,
  'storeId' | 'entity' | 'entityId' | 'eventId' | 'occurredAt' | 'payload' | 'correlationId'
>;

type Lean = PendingChange & { _id: { toString(): string } };

function toRecord(doc: Lean): PendingChangeRecord {
  const { _id, ...rest } = doc;
  return { id: _id.toString(), ...rest };
}

/** Queue items for Cron Job mode. Returns plain objects, never mongoose documents. */
@Injectable()
export class PendingChangeRepository {
  constructor(@InjectModel(PendingChange.name) private readonly model: Model<PendingChange>) {}

  /** Inserts a new item; throws DuplicateKeyError if (store, entity, id) is already queued. */
  async insert(change: NewPendingChange): Promise<PendingChangeRecord> {
    try {
      const created = await this.model.create({ ...change, status: 'pending', attempts: 0, nextAttemptAt: new Date(0) });
      return toRecord(created.toObject() as Lean);
    } catch (err) {
      if (isDuplicateKeyError(err)) {
        throw new DuplicateKeyError('pending_changes', {
          storeId: change.storeId,
          entity: change.entity,
          entityId: change.entityId,
        });
      }
      throw err;
    }
  }

  /**
   * Atomically hands the next due item of a store to one claimer: the item becomes `processing`, leased to
   * `owner` until now + leaseMs. Two concurrent claimers never get the same item.
   */
  async claimNext(storeId: string, owner: string, leaseMs: number, now = new Date()): Promise<PendingChangeRecord | null> {
    const doc = await this.model
      .findOneAndUpdate(
        { storeId, status: 'pending', nextAttemptAt: { $lte: now } },
        { $set: { status: 'processing', leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) } },
        { sort: { nextAttemptAt: 1, occurredAt: 1 }, new: true },
      )
      .lean<Lean>()
      .exec();
    return doc ? toRecord(doc) : null;
  }

  async findByKey(storeId: string, entity: string, entityId: string): Promise<PendingChangeRecord | null> {
    const doc = await this.model.findOne({ storeId, entity, entityId }).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  async countByStore(storeId: string): Promise<number> {
    return this.model.countDocuments({ storeId }).exec();
  }
}
