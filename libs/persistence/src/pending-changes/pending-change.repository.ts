import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { QueryFilter, Model } from 'mongoose';
import { isDuplicateKeyError } from '../persistence.errors';
import { findByIds, idFiltersIndexed, updateWhere } from '../update-where';
import { upsertRacing } from '../upsert-racing';
import {
  ClaimedBatch,
  Lean,
  NewPendingChange,
  PendingChangeRecord,
  PendingChangeState,
  SaveLatestOutcome,
  stateUpdate,
  toRecord,
} from './pending-change.record';
import { DependencyWait, PendingChange, pendingChangeId, PendingChangeStatus } from './pending-change.schema';

/**
 * The Cron Job queue and the last known content of every record (items stay as `synced` after delivery).
 * Returns plain objects, never mongoose documents. Works on FerretDB: single-document atomic updates only.
 */
@Injectable()
export class PendingChangeRepository {
  constructor(
    @InjectModel(PendingChange.name) private readonly model: Model<PendingChange>,
    @InjectModel(DependencyWait.name) private readonly waits: Model<DependencyWait>,
  ) {}

  /** Notes that item `waiterId` waits for record `awaitedId` (both pending-change `_id`s), so its sync wakes it. */
  async noteWaiter(storeId: string, waiterId: string, awaitedId: string): Promise<void> {
    // Two first waiters upserted at once: the other one created the document, add to it.
    await upsertRacing(() =>
      this.waits
        .updateOne(
          { _id: awaitedId },
          { $addToSet: { waiters: waiterId }, $setOnInsert: { storeId } },
          { upsert: true },
        )
        .exec(),
    );
  }

  /**
   * The records `syncedIds` reached Xero: the items still waiting for any of them, or failed after waiting too long
   * for them, become due now (instead of at the end of their back-off) and the notes are dropped. Returns how many
   * items were woken.
   */
  async wakeWaitersOf(syncedIds: string[], now = new Date()): Promise<number> {
    if (syncedIds.length === 0) return 0;
    const notes = await this.waits
      .find({ _id: { $in: syncedIds } })
      .lean<{ _id: string; waiters: string[] }[]>()
      .exec();
    if (notes.length === 0) return 0;
    // A waiting item stays `waiting` (an Immediately syncer that parked it retries it from that status); one failed
    // after its horizon is open again.
    const due = { $set: { nextAttemptAt: now } };
    const revived = { $set: { status: 'pending', nextAttemptAt: now } };
    const woken = await updateWhere(
      this.model,
      notes.flatMap((n) =>
        n.waiters.flatMap((id) => [
          { id, where: { status: 'waiting', waitingFor: n._id }, update: due },
          { id, where: { status: 'failed', waitingFor: n._id }, update: revived },
        ]),
      ),
    );
    // A waiter noted between the read and this delete loses its note; its back-off (capped by the wait horizon)
    // still brings it back.
    await this.waits.deleteMany({ _id: { $in: notes.map((n) => n._id) } }).exec();
    return woken;
  }

  /**
   * Stores `change` as the latest content of its (store, entity, id) in `state`, unless the queue already holds
   * this event or newer content (by occurredAt; equal times: the later arrival wins, as partitions are ordered).
   * Replacing content that a flusher has claimed drops that claim, so the flusher cannot mark the new content
   * as synced.
   */
  async saveLatest(change: NewPendingChange, state: PendingChangeState): Promise<SaveLatestOutcome> {
    const _id = pendingChangeId(change);
    const { $set, $unset } = stateUpdate({ attempts: 0, ...state });
    const stored = { ...change, payload: JSON.stringify(change.payload) };
    const update = { $set: { ...stored, ...$set }, $unset };
    const where = { occurredAt: { $lte: change.occurredAt }, eventId: { $ne: change.eventId } };
    const upserts = await idFiltersIndexed(this.model.db, this.model.collection.collectionName);
    for (let round = 0; round < 3; round++) {
      let existing: Lean | null | undefined;
      if (upserts) {
        // One command for a new key or newer content; an item the condition refuses makes the upsert's insert
        // collide with it, and only then is it read to tell why.
        try {
          const res = await this.model.updateOne({ _id, ...where }, update, { upsert: true }).exec();
          if (res.matchedCount + res.upsertedCount === 1) return 'saved';
        } catch (err) {
          if (!isDuplicateKeyError(err)) throw err;
        }
      } else {
        // On a FerretDB without the `_id` pushdown updateWhere has just read the item: when it did not match,
        // that read tells why (a new key: null), so it is not read a second time.
        let seen: { doc: Lean | null } | undefined;
        const saved = await updateWhere(this.model, [{ id: _id, where, update }], (_, doc) => {
          seen = { doc: doc as Lean | null };
        });
        if (saved === 1) return 'saved';
        existing = seen?.doc;
      }
      if (existing === undefined) {
        existing = await this.model.findOne({ _id }, { eventId: 1, occurredAt: 1 }).lean<Lean>().exec();
      }
      if (existing) return existing.eventId === change.eventId ? 'duplicate' : 'stale';
      if (upserts) continue;
      try {
        await this.model.create({ _id, ...stored, ...$set });
        return 'saved';
      } catch (err) {
        // Another writer inserted the same key in between: compare against what it wrote.
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    throw new Error(`pending_changes: could not save ${change.entity} ${change.entityId} of ${change.storeId}`);
  }

  /**
   * Claims up to `limit` due items of a store for `owner` (lowest dependency rank first, then oldest): pending
   * or waiting items whose time has come, and items whose previous claim expired (a crashed flusher). Three
   * commands per batch: the selection, one conditional update of the candidates (still due, by their `_id` list)
   * and one read of what was claimed under the new token. Only the holder of the org's flush lease claims, so no
   * two claimers race for an item. On FerretDB v1 only `_id` filters reach the index, so the selection is the one
   * scan and everything after goes by _id.
   */
  async claimDue(
    storeId: string,
    owner: string,
    limit: number,
    leaseMs: number,
    now = new Date(),
  ): Promise<ClaimedBatch> {
    const claimToken = randomUUID();
    const candidates = await this.model
      .find(this.dueFilter(now, storeId), { _id: 1 })
      .sort({ rank: 1, nextAttemptAt: 1, occurredAt: 1 })
      .limit(limit)
      .batchSize(limit)
      .lean<Lean[]>()
      .exec();
    if (candidates.length === 0) return { claimToken, items: [] };
    const claim = {
      $set: { status: 'processing', leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs), claimToken },
    };
    await updateWhere(
      this.model,
      candidates.map((c) => ({ id: String(c._id), where: this.dueFilter(now), update: claim })),
    );
    const items = (await this.byIds(candidates.map((c) => String(c._id)))).filter((d) => d.claimToken === claimToken);
    items.sort((a, b) => a.rank - b.rank || a.occurredAt.getTime() - b.occurredAt.getTime());
    return { claimToken, items: items.map(toRecord) };
  }

  /** Extends the claim of a batch still being delivered (its items by id, so no scan on FerretDB). */
  async extendClaim(claimToken: string, ids: string[], leaseMs: number, now = new Date()): Promise<void> {
    if (ids.length === 0) return;
    const update = { $set: { leaseUntil: new Date(now.getTime() + leaseMs) } };
    await updateWhere(
      this.model,
      ids.map((id) => ({ id, where: { claimToken, status: 'processing' }, update })),
    );
  }

  private byIds(ids: string[]): Promise<Lean[]> {
    return findByIds<PendingChange, Lean>(this.model, ids);
  }

  /**
   * Records the outcome of claimed items. An item whose content was replaced meanwhile (claim dropped) is left
   * alone: its newer content is still due. Returns how many items took the new state.
   */
  async completeClaimed(claimToken: string, outcomes: { id: string; state: PendingChangeState }[]): Promise<number> {
    return updateWhere(
      this.model,
      outcomes.map((o) => ({ id: o.id, where: { claimToken }, update: stateUpdate(o.state) })),
    );
  }

  /**
   * Records the outcome of an out-of-band attempt (per-record "Sync Now", an Immediately wake-up) unless the item's
   * content changed meanwhile or a flusher holds it; with `fromStatus`, only while the item still has the status
   * the attempt started from (a wake-up must not turn an item a flusher synced meanwhile back into pending or
   * failed). Returns whether the state was written.
   */
  async recordAttemptIfUnchanged(
    id: string,
    eventId: string,
    state: PendingChangeState,
    fromStatus?: PendingChangeStatus,
  ): Promise<boolean> {
    const where = { eventId, status: fromStatus ?? { $ne: 'processing' } };
    return (await updateWhere(this.model, [{ id, where, update: stateUpdate(state) }])) === 1;
  }

  /** Hands claimed items back (graceful shutdown): due again at once. */
  async releaseClaims(owner: string): Promise<number> {
    const res = await this.model
      .updateMany(
        { leaseOwner: owner, status: 'processing' },
        {
          $set: { status: 'pending', nextAttemptAt: new Date(0) },
          $unset: { leaseOwner: '', leaseUntil: '', claimToken: '' },
        },
      )
      .exec();
    return res.modifiedCount;
  }

  /** Stores that have due items now (including expired claims). */
  async storesWithDueItems(now = new Date()): Promise<string[]> {
    const ids = await this.model.distinct('storeId', this.dueFilter(now)).exec();
    return ids.map(String);
  }

  /** True when the store has any item that is not synced or permanently failed (its queue is not drained). */
  async hasOpenItems(storeId: string): Promise<boolean> {
    const doc = await this.model
      .findOne({ storeId, status: { $in: ['pending', 'waiting', 'processing'] } }, { _id: 1 })
      .lean<Lean>()
      .exec();
    return doc !== null;
  }

  /** "Retry failed": failed and waiting items of a store become due now with a fresh attempt count. */
  async resetFailed(storeId: string): Promise<number> {
    const res = await this.model
      .updateMany(
        { storeId, status: { $in: ['failed', 'waiting'] } },
        { $set: { status: 'pending', attempts: 0, nextAttemptAt: new Date(0) }, $unset: { waitingOn: '' } },
      )
      .exec();
    return res.modifiedCount;
  }

  /** Makes every not-yet-synced item of a store due now ("Sync Now" bypasses backoff). */
  async makeDueNow(storeId: string): Promise<number> {
    const res = await this.model
      .updateMany({ storeId, status: { $in: ['pending', 'waiting'] } }, { $set: { nextAttemptAt: new Date(0) } })
      .exec();
    return res.modifiedCount;
  }

  /**
   * "Remove from queue": drops a record's open item (pending, waiting or failed) so it is not synced. An item a
   * flusher holds is refused (`processing`); a synced record keeps its last content for per-record Sync Now and
   * is not an open item (`not-open`).
   */
  async removeOpenItem(
    storeId: string,
    entity: string,
    entityId: string,
  ): Promise<'removed' | 'processing' | 'not-open' | 'not-found'> {
    const _id = pendingChangeId({ storeId, entity, entityId });
    const res = await this.model.deleteOne({ _id, status: { $in: ['pending', 'waiting', 'failed'] } }).exec();
    if (res.deletedCount === 1) return 'removed';
    const doc = await this.model.findOne({ _id }, { status: 1 }).lean<Lean>().exec();
    if (!doc) return 'not-found';
    return doc.status === 'processing' ? 'processing' : 'not-open';
  }

  /** The items of these records of one store that the queue holds, by `_id` (one query for a whole batch). */
  async findByKeys(storeId: string, keys: { entity: string; entityId: string }[]): Promise<PendingChangeRecord[]> {
    return (await this.byIds(keys.map((k) => pendingChangeId({ storeId, ...k })))).map(toRecord);
  }

  async findByKey(storeId: string, entity: string, entityId: string): Promise<PendingChangeRecord | null> {
    const doc = await this.model
      .findOne({ _id: pendingChangeId({ storeId, entity, entityId }) })
      .lean<Lean>()
      .exec();
    return doc ? toRecord(doc) : null;
  }

  /** Items of a store, optionally by status, newest change first (admin queue view). */
  async listByStore(
    storeId: string,
    filter: { status?: PendingChangeStatus; entity?: string } = {},
    page: { page?: number; pageSize?: number } = {},
  ): Promise<{ items: PendingChangeRecord[]; total: number }> {
    const query: QueryFilter<PendingChange> = { storeId };
    if (filter.status) query.status = filter.status;
    if (filter.entity) query.entity = filter.entity;
    const pageSize = Math.min(Math.max(page.pageSize ?? 50, 1), 500);
    const skip = (Math.max(page.page ?? 1, 1) - 1) * pageSize;
    const [docs, total] = await Promise.all([
      this.model.find(query).sort({ occurredAt: -1 }).skip(skip).limit(pageSize).lean<Lean[]>().exec(),
      this.model.countDocuments(query).exec(),
    ]);
    return { items: docs.map(toRecord), total };
  }

  /** Item counts by status, optionally for one store (queue depth metric, dashboard). */
  async countByStatus(storeId?: string): Promise<Record<PendingChangeStatus, number>> {
    const match: QueryFilter<PendingChange> = storeId ? { storeId } : {};
    const rows = await this.model
      .aggregate<{ _id: PendingChangeStatus; n: number }>([
        { $match: match },
        { $group: { _id: '$status', n: { $sum: 1 } } },
      ])
      .exec();
    const counts: Record<PendingChangeStatus, number> = { pending: 0, processing: 0, failed: 0, waiting: 0, synced: 0 };
    for (const r of rows) counts[r._id] = r.n;
    return counts;
  }

  /**
   * Per store: items a flush will still deliver (pending, processing, waiting; not failed ones, which wait for a
   * person) and when the longest-waiting of them last changed. One $group over the collection plus one sorted
   * read per store with work (FerretDB v1 has no $min accumulator): callers pace it.
   */
  async openItemsByStore(): Promise<{ storeId: string; open: number; oldestChangeAt: Date }[]> {
    const open: QueryFilter<PendingChange> = { status: { $in: ['pending', 'processing', 'waiting'] } };
    const rows = await this.model
      .aggregate<{ _id: string; n: number }>([{ $match: open }, { $group: { _id: '$storeId', n: { $sum: 1 } } }])
      .exec();
    const result: { storeId: string; open: number; oldestChangeAt: Date }[] = [];
    for (const r of rows) {
      const oldest = await this.model
        .findOne({ ...open, storeId: r._id }, { updatedAt: 1 })
        .sort({ updatedAt: 1 })
        .lean<{ updatedAt?: Date }>()
        .exec();
      result.push({ storeId: r._id, open: r.n, oldestChangeAt: oldest?.updatedAt ?? new Date() });
    }
    return result;
  }

  async countByStore(storeId: string): Promise<number> {
    return this.model.countDocuments({ storeId }).exec();
  }

  private dueFilter(now: Date, storeId?: string): QueryFilter<PendingChange> {
    return {
      ...(storeId ? { storeId } : {}),
      $or: [
        { status: { $in: ['pending', 'waiting'] }, nextAttemptAt: { $lte: now } },
        { status: 'processing', leaseUntil: { $lt: now } },
      ],
    };
  }
}
