import { Model } from 'mongoose';
import { isDuplicateKeyError } from '../persistence.errors';
import { findByIds, idFiltersIndexed } from '../update-where';
import {
  CopyDoc,
  copyOf,
  Lean,
  NewPendingChange,
  PendingChangeState,
  SaveLatestOutcome,
} from './pending-change.record';
import { PendingChange, pendingChangeId } from './pending-change.schema';
import { RecordCopy } from './record-copy.schema';

// Writing synced content into `record_copies` (PendingChangeRepository's synced outcomes): a copy never replaces
// newer content.

/**
 * Keeps one record's synced content as its copy unless the copy holds newer content: one conditional upsert where
 * `_id` plus conditions is indexed (its insert collides with a newer copy, which stays).
 */
export async function keepCopy(copies: Model<RecordCopy>, copy: CopyDoc): Promise<void> {
  if (!(await idFiltersIndexed(copies.db, copies.collection.collectionName))) {
    return keepCopies(copies, [copy]);
  }
  const { _id, ...fields } = copy;
  try {
    await copies.collection.updateOne(
      { _id, occurredAt: { $lte: copy.occurredAt } } as object,
      { $set: fields, $setOnInsert: { createdAt: copy.updatedAt } },
      { upsert: true },
    );
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
}

/**
 * Keeps synced content as the records' copies, each unless its copy holds newer content: one read of the copies
 * held, one delete of those replaced and one insert, whatever the number (never an update per document).
 */
export async function keepCopies(copies: Model<RecordCopy>, synced: CopyDoc[]): Promise<void> {
  if (synced.length === 0) return;
  const held = await findByIds<RecordCopy, { _id: string; occurredAt: Date }>(
    copies,
    synced.map((c) => c._id),
    { occurredAt: 1 },
  );
  const heldAt = new Map(held.map((h) => [h._id, h.occurredAt.getTime()]));
  const latest = new Map<string, CopyDoc>();
  for (const c of synced) {
    const before = latest.get(c._id)?.occurredAt.getTime() ?? heldAt.get(c._id) ?? -Infinity;
    if (c.occurredAt.getTime() >= before) latest.set(c._id, c);
  }
  if (latest.size === 0) return;
  const replaced = [...latest.keys()].filter((id) => heldAt.has(id));
  if (replaced.length > 0) await copies.deleteMany({ _id: { $in: replaced } }).exec();
  try {
    await copies.collection.insertMany([...latest.values()].map((c) => ({ ...c, createdAt: c.updatedAt })) as never[], {
      ordered: false,
    });
  } catch (err) {
    // A concurrent writer kept the same record's copy first; its content is as new (one delivery per record).
    if (!isDuplicateKeyError(err)) throw err;
  }
}

/**
 * PendingChangeRepository.saveLatestEach: synced contents kept as copies in one write for all (`keepCopies`), then
 * the older queued changes they supersede removed in one command (the copy first, as `saveLatest`: a crash in
 * between leaves both, harmless); open states saved one by one by `saveOne`, at the same time. Outcomes in order.
 */
export async function saveDeliveredEach(
  queue: Model<PendingChange>,
  copies: Model<RecordCopy>,
  entries: { change: NewPendingChange; state: PendingChangeState }[],
  saveOne: (change: NewPendingChange, state: PendingChangeState) => Promise<SaveLatestOutcome>,
): Promise<SaveLatestOutcome[]> {
  const synced = entries.filter((e) => e.state.status === 'synced');
  if (synced.length < 2) return Promise.all(entries.map((e) => saveOne(e.change, e.state)));
  const keep = async () => {
    await keepCopies(
      copies,
      synced.map(({ change, state }) =>
        copyOf(
          { _id: pendingChangeId(change), attempts: 0, ...change, payload: JSON.stringify(change.payload) },
          state,
        ),
      ),
    );
    await queue.bulkWrite(
      synced.map(({ change }) => ({
        deleteOne: { filter: { _id: pendingChangeId(change), occurredAt: { $lte: change.occurredAt } } },
      })),
      { ordered: false },
    );
  };
  const [outcomes] = await Promise.all([
    Promise.all(
      entries.map((e) =>
        e.state.status === 'synced' ? Promise.resolve<SaveLatestOutcome>('saved') : saveOne(e.change, e.state),
      ),
    ),
    keep(),
  ]);
  return outcomes;
}

/**
 * Moves up to `limit` items left `synced` in the queue (written before synced items left it) to the copies; returns
 * how many left the queue. Idempotent and safe beside running syncers: a copy never replaces newer content, and an
 * item is removed only while it is still synced with the content copied.
 */
export async function moveSyncedToCopies(
  queue: Model<PendingChange>,
  copies: Model<RecordCopy>,
  limit: number,
): Promise<number> {
  const docs = await queue.find({ status: 'synced' }).limit(limit).batchSize(limit).lean<Lean[]>().exec();
  if (docs.length === 0) return 0;
  await keepCopies(
    copies,
    docs.map((d) => copyOf({ ...d, _id: String(d._id) }, { status: 'synced', attempts: d.attempts })),
  );
  const res = await queue
    .deleteMany({ status: 'synced', $or: docs.map((d) => ({ _id: String(d._id), eventId: d.eventId })) })
    .exec();
  return res.deletedCount;
}
