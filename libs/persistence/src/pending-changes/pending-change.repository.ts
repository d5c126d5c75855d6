import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { QueryFilter, Model } from 'mongoose';
import sift from 'sift';
import { isDuplicateKeyError } from '../persistence.errors';
import { findByIds, updateWhere } from '../update-where';
import {
  ClaimedBatch,
  copyOf,
  fromCopy,
  Lean,
  NewPendingChange,
  PendingChangeRecord,
  PendingChangeState,
  SaveLatestOutcome,
  stateUpdate,
  toRecord,
} from './pending-change.record';
import { noteWaiters, wakeWaitersOf } from './dependency-waits';
import { countItemsByStatus, listStoreItems, openItemsPerStore } from './pending-change.queries';
import { DependencyWait, PendingChange, pendingChangeId, PendingChangeStatus } from './pending-change.schema';
import { ArrivalWait, IntakeOutcome, saveLatestMany } from './intake-writes';
import { saveLatest } from './save-latest';
import { claimItems, selectDue } from './claims';
import { keepCopies, keepCopy, moveSyncedToCopies, saveDeliveredEach } from './record-copies';
import { RecordCopy } from './record-copy.schema';

type CopyLean = RecordCopy & { createdAt?: Date; updatedAt?: Date };

/**
 * The Cron Job queue (`pending_changes`: open items only) and the last synced content of every record
 * (`record_copies`): an item that becomes `synced` leaves the queue and its content is kept as the record's copy,
 * so the queue's scans (due selection, due stores, depth) cost what is open, not what a store ever synced. Reads of
 * one record look in the queue first, then in the copies, and answer a copy as a `synced` item. Returns plain
 * objects, never mongoose documents. Works on FerretDB: single-document atomic updates only.
 */
@Injectable()
export class PendingChangeRepository {
  constructor(
    @InjectModel(PendingChange.name) private readonly model: Model<PendingChange>,
    @InjectModel(DependencyWait.name) private readonly waits: Model<DependencyWait>,
    @InjectModel(RecordCopy.name) private readonly copies: Model<RecordCopy>,
  ) {}

  /** Notes that each item `waiterId` waits for record `awaitedId` (pending-change `_id`s): one command for all. */
  noteWaiters(storeId: string, notes: { waiterId: string; awaitedId: string }[]): Promise<void> {
    return noteWaiters(
      this.waits,
      notes.map((n) => ({ storeId, ...n })),
    );
  }

  /** `noteWaiters` for the waits of several stores, in one command. */
  noteWaitersOfStores(notes: { storeId: string; waiterId: string; awaitedId: string }[]): Promise<void> {
    return noteWaiters(this.waits, notes);
  }

  /**
   * The records `syncedIds` reached Xero: the items still waiting for any of them, or failed after waiting too long
   * for them, become due now (instead of at the end of their back-off). Returns how many items were woken.
   */
  wakeWaitersOf(syncedIds: string[], now = new Date()): Promise<number> {
    return wakeWaitersOf(this.model, this.waits, syncedIds, now);
  }

  /**
   * Stores `change` as the latest content of its (store, entity, id) in `state`, unless the queue already holds
   * this event or newer content (by occurredAt; equal times: the later arrival wins, as partitions are ordered).
   * Replacing content that a flusher has claimed drops that claim, so the flusher cannot mark the new content
   * as synced. A `synced` state keeps the content as the record's copy instead (unless the copy is newer) and
   * drops an older queued change. Whether the copies hold newer content than an open change is the caller's
   * check (`findByKey` before saving), as it was before copies existed.
   */
  saveLatest(change: NewPendingChange, state: PendingChangeState): Promise<SaveLatestOutcome> {
    return saveLatest(this.model, this.copies, change, state);
  }

  /** `saveLatest` for several records' contents delivered together, each in its own state (`saveDeliveredEach`). */
  saveLatestEach(entries: { change: NewPendingChange; state: PendingChangeState }[]): Promise<SaveLatestOutcome[]> {
    return saveDeliveredEach(this.model, this.copies, entries, (change, state) => this.saveLatest(change, state));
  }

  /**
   * Cron Job intake of many events at once: each change as `findByKey` + `saveLatest` would store it (a redelivery
   * is `duplicate`, content older than the queue's or the copy's is `stale`), in three commands per batch (see
   * intake-writes.ts). `state` is an open state; a change with an ArrivalWait (`waits`, by position) whose awaited
   * record the queue and the copies do not hold is saved in its parked state (`parked`). Outcomes in the order of
   * `changes`.
   */
  saveLatestMany(
    changes: NewPendingChange[],
    state: PendingChangeState,
    waits: (ArrivalWait | undefined)[] = [],
  ): Promise<IntakeOutcome[]> {
    return saveLatestMany(this.model, this.copies, changes, state, (change, st) => this.saveLatest(change, st), waits);
  }

  /** Which of the records `ids` (pending-change `_id`s) have reached Xero: those with a synced copy kept. */
  async syncedOf(ids: string[]): Promise<string[]> {
    return (await findByIds<RecordCopy, { _id: string }>(this.copies, ids, { _id: 1 })).map((d) => d._id);
  }

  /**
   * Claims up to `limit` due items of a store for `owner` (lowest dependency rank first, then oldest): pending
   * or waiting items whose time has come, and items whose previous claim expired (a crashed flusher). Three
   * commands: the selection (`selectDue`), then `claim`. Only the org's flush lease holder claims: no claimers race.
   */
  async claimDue(
    storeId: string,
    owner: string,
    limit: number,
    leaseMs: number,
    now = new Date(),
  ): Promise<ClaimedBatch> {
    return this.claim(await this.selectDue(storeId, limit, now), owner, leaseMs, now);
  }

  /**
   * The `_id`s of up to `limit` due items of a store, in claim order. A flush selects several batches ahead and
   * claims them in turn: the engine answers the sorted selection by reading every due item of the store (FerretDB
   * decodes each, whatever the limit), so selecting once per batch read the store's whole backlog per batch.
   */
  selectDue(storeId: string, limit: number, now = new Date()): Promise<string[]> {
    return selectDue(this.model, this.dueFilter(now, storeId), limit);
  }

  /** Claims those of the items `ids` still due (not claimed, synced or replaced since their selection). */
  claim(ids: string[], owner: string, leaseMs: number, now = new Date()): Promise<ClaimedBatch> {
    return claimItems(this.model, ids, this.dueFilter(now), owner, new Date(now.getTime() + leaseMs));
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
   * alone: its newer content is still due. Returns how many items took the new state. `claimed`, the batch as
   * claimed, is the content a synced item's copy keeps (what was delivered); without it the items are read again.
   */
  async completeClaimed(
    claimToken: string,
    outcomes: { id: string; state: PendingChangeState }[],
    claimed?: PendingChangeRecord[],
  ): Promise<number> {
    const synced = outcomes.filter((o) => o.state.status === 'synced');
    const open = outcomes.filter((o) => o.state.status !== 'synced');
    let done = await updateWhere(
      this.model,
      open.map((o) => ({ id: o.id, where: { claimToken }, update: stateUpdate(o.state) })),
    );
    if (synced.length > 0) {
      // Copy first, then leave the queue: a crash in between leaves a claimed item that is delivered again
      // (unchanged, no Xero call) once its claim expires, never a synced record without its content. A copy of
      // content replaced meanwhile is still what Xero holds, and never replaces a newer copy.
      const states = new Map(synced.map((o) => [o.id, o.state]));
      const delivered = claimed
        ? claimed.filter((r) => states.has(r.id)).map((r) => ({ ...r, _id: r.id, payload: JSON.stringify(r.payload) }))
        : (await this.byIds([...states.keys()]))
            .filter((d) => d.claimToken === claimToken)
            .map((d) => ({ ...d, _id: String(d._id) }));
      await keepCopies(
        this.copies,
        delivered.map((d) => copyOf(d, states.get(d._id)!)),
      );
      if (delivered.length > 0) {
        const res = await this.model.deleteMany({ _id: { $in: delivered.map((d) => d._id) }, claimToken }).exec();
        done += res.deletedCount;
      }
    }
    return done;
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
    const where: QueryFilter<PendingChange> = { eventId, status: fromStatus ?? { $ne: 'processing' as const } };
    if (state.status === 'synced') {
      const [item] = await findByIds<PendingChange, Lean>(this.model, [id]);
      if (item && sift(where)(item)) {
        await keepCopy(this.copies, copyOf({ ...item, _id: id }, state));
        return (await this.model.deleteOne({ _id: id, ...where }).exec()).deletedCount === 1;
      }
      if (item || (fromStatus && fromStatus !== 'synced')) return false;
      // Only the copy holds the record (synced before): its attempt is noted there.
      const noted = Object.fromEntries(
        Object.entries({
          attempts: state.attempts,
          lastAttemptAt: state.lastAttemptAt,
          syncedAt: state.syncedAt,
          xeroId: state.xeroId,
        }).filter(([, v]) => v !== undefined),
      );
      const res = await this.copies
        .updateOne({ _id: id, eventId }, { $set: { ...noted, updatedAt: new Date() } })
        .exec();
      return res.matchedCount === 1;
    }
    if ((await updateWhere(this.model, [{ id, where, update: stateUpdate(state) }])) === 1) return true;
    if (fromStatus && fromStatus !== 'synced') return false;
    // A record that left the queue synced and was attempted again (Sync Now, a replay) without success is open
    // again: its copy's content goes back into the queue in the new state, unless newer content arrived meanwhile.
    const copy = await this.copies.findOne({ _id: id, eventId }).lean<CopyLean>().exec();
    if (!copy) return false;
    const { $set } = stateUpdate(state);
    try {
      await this.model.create({ ...copy, ...$set, _id: id });
      return true;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return false;
    }
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

  /**
   * Moves items left `synced` in the queue (written before synced items left it) to the copies, up to `limit` per
   * call; returns how many left the queue (see record-copies.ts).
   */
  moveSyncedToCopies(limit = 1000): Promise<number> {
    return moveSyncedToCopies(this.model, this.copies, limit);
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
    if (doc) return doc.status === 'processing' ? 'processing' : 'not-open';
    return (await this.copies.exists({ _id }).exec()) ? 'not-open' : 'not-found';
  }

  /** The items of these records of one store that the queue holds, by `_id` (one query for a whole batch). */
  async findByKeys(storeId: string, keys: { entity: string; entityId: string }[]): Promise<PendingChangeRecord[]> {
    const ids = keys.map((k) => pendingChangeId({ storeId, ...k }));
    const queued = (await this.byIds(ids)).map(toRecord);
    const seen = new Set(queued.map((r) => r.id));
    const rest = ids.filter((id) => !seen.has(id));
    const copied = rest.length ? await findByIds<RecordCopy, CopyLean>(this.copies, rest) : [];
    return [...queued, ...copied.map(fromCopy)];
  }

  /** The record's open item if the queue holds one, else its last synced content (as a `synced` item), else null. */
  async findByKey(storeId: string, entity: string, entityId: string): Promise<PendingChangeRecord | null> {
    const _id = pendingChangeId({ storeId, entity, entityId });
    const doc = await this.model.findOne({ _id }).lean<Lean>().exec();
    if (doc) return toRecord(doc);
    const copy = await this.copies.findOne({ _id }).lean<CopyLean>().exec();
    return copy ? fromCopy(copy) : null;
  }

  /**
   * Items of a store, optionally by status or entity (admin queue view, reconciliation): the queue's open items
   * first, then the synced records' copies, each newest change first. A record with newer content still open is
   * listed twice, open and as its synced copy (callers wanting one per record keep the first).
   */
  listByStore(
    storeId: string,
    filter: { status?: PendingChangeStatus; entity?: string } = {},
    page: { page?: number; pageSize?: number } = {},
  ): Promise<{ items: PendingChangeRecord[]; total: number }> {
    return listStoreItems(this.model, this.copies, storeId, filter, page);
  }

  /**
   * Item counts by status: for one store (dashboard) `synced` counts its records' copies; fleet-wide (queue depth
   * metric) only the queue's items.
   */
  countByStatus(storeId?: string): Promise<Record<PendingChangeStatus, number>> {
    return countItemsByStatus(this.model, this.copies, storeId);
  }

  /** Per store: items a flush will still deliver and when the longest-waiting of them last changed. */
  openItemsByStore(): Promise<{ storeId: string; open: number; oldestChangeAt: Date }[]> {
    return openItemsPerStore(this.model);
  }

  /** Records of a store the queue or the copies hold (a record in both counts twice). */
  async countByStore(storeId: string): Promise<number> {
    const [queued, copied] = await Promise.all([
      this.model.countDocuments({ storeId }).exec(),
      this.copies.countDocuments({ storeId }).exec(),
    ]);
    return queued + copied;
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
