import { Model } from 'mongoose';
import { isDuplicateKeyError } from '../persistence.errors';
import { idFiltersIndexed, updateWhere } from '../update-where';
import {
  copyOf,
  Lean,
  NewPendingChange,
  PendingChangeState,
  SaveLatestOutcome,
  stateUpdate,
} from './pending-change.record';
import { PendingChange, pendingChangeId } from './pending-change.schema';
import { keepCopy } from './record-copies';
import { RecordCopy } from './record-copy.schema';

// One event's content saved as its record's latest (PendingChangeRepository.saveLatest, where its contract is
// written): the single-event path, which reads and retries on a racing writer.

export async function saveLatest(
  model: Model<PendingChange>,
  copies: Model<RecordCopy>,
  change: NewPendingChange,
  state: PendingChangeState,
): Promise<SaveLatestOutcome> {
  const _id = pendingChangeId(change);
  const stored = { ...change, payload: JSON.stringify(change.payload) };
  if (state.status === 'synced') {
    // Delivered content goes straight to the copies; an older change the queue still held is superseded by it
    // (a flusher holding it finds its claim gone and writes nothing).
    await keepCopy(copies, copyOf({ _id, attempts: 0, ...stored }, state));
    await model.deleteOne({ _id, occurredAt: { $lte: change.occurredAt } }).exec();
    return 'saved';
  }
  const { $set, $unset } = stateUpdate({ attempts: 0, ...state });
  const update = { $set: { ...stored, ...$set }, $unset };
  const where = { occurredAt: { $lte: change.occurredAt }, eventId: { $ne: change.eventId } };
  const upserts = await idFiltersIndexed(model.db, model.collection.collectionName);
  for (let round = 0; round < 3; round++) {
    let existing: Lean | null | undefined;
    if (upserts) {
      // One command for a new key or newer content; an item the condition refuses makes the upsert's insert
      // collide with it, and only then is it read to tell why.
      try {
        const res = await model.updateOne({ _id, ...where }, update, { upsert: true }).exec();
        if (res.matchedCount + res.upsertedCount === 1) return 'saved';
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    } else {
      // On a FerretDB without the `_id` pushdown updateWhere has just read the item: when it did not match,
      // that read tells why (a new key: null), so it is not read a second time.
      let seen: { doc: Lean | null } | undefined;
      const saved = await updateWhere(model, [{ id: _id, where, update }], (_, doc) => {
        seen = { doc: doc as Lean | null };
      });
      if (saved === 1) return 'saved';
      existing = seen?.doc;
    }
    if (existing === undefined) {
      existing = await model.findOne({ _id }, { eventId: 1, occurredAt: 1 }).lean<Lean>().exec();
    }
    if (existing) return existing.eventId === change.eventId ? 'duplicate' : 'stale';
    if (upserts) continue;
    try {
      await model.create({ _id, ...stored, ...$set });
      return 'saved';
    } catch (err) {
      // Another writer inserted the same key in between: compare against what it wrote.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }
  throw new Error(`pending_changes: could not save ${change.entity} ${change.entityId} of ${change.storeId}`);
}
