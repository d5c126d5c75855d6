import { Model } from 'mongoose';
import { insertManyNew } from '../insert-new';
import { findByIds, idFiltersIndexed } from '../update-where';
import { NewPendingChange, PendingChangeState, SaveLatestOutcome, stateUpdate } from './pending-change.record';
import { PendingChange, pendingChangeId } from './pending-change.schema';
import { RecordCopy } from './record-copy.schema';

// Saving many Cron Job events at once (PendingChangeRepository.saveLatestMany): the queue's intake costs a few
// commands per batch of events instead of two or three per event.

/** What the queue or the copies already hold of a record: enough to tell a redelivery or older content. */
interface Held {
  eventId: string;
  occurredAt: Date;
}

/** Saves one change on its own in a state (the single-event path, which reads and retries on a racing writer). */
export type SaveOne = (change: NewPendingChange, state: PendingChangeState) => Promise<SaveLatestOutcome>;

/**
 * A change that can do nothing before another record of its store has arrived (a store invoice its order): kept in
 * `parked` (waiting, not due) instead of the batch's state while the queue holds no item and the copies no copy of
 * `awaitedId`, and no change of the same batch is that record.
 */
export interface ArrivalWait {
  /** The pending-change `_id` of the record it waits for. */
  awaitedId: string;
  parked: PendingChangeState;
}

/** `saved` in the batch's state, or `parked` (saved in its ArrivalWait's state), or not saved. */
export type IntakeOutcome = SaveLatestOutcome | 'parked';

/**
 * Stores each change as the latest content of its record in `state` (never `synced`), unless the queue, or where
 * the queue holds nothing its copy, already holds this event (`duplicate`) or newer content (`stale`): the check
 * `findByKey` + `saveLatest` make for one event, for a whole batch. Four commands at most whatever the number of
 * changes where `_id` plus conditions is indexed: one read of the queue items, one of the copies the queue does not
 * hold, one unordered insert of the records the queue does not hold (most of a Cron Job intake: an insert costs
 * FerretDB a fifth of an upsert) and one unordered `bulkWrite` of conditional upserts replacing the items it holds
 * (`updateMany` on the unique `_id`: FerretDB v1 keeps a connection per `updateOne` statement until the whole
 * command ends). A write refused because a racer stored the record meanwhile (its insert or upsert collides) is
 * saved again on its own, and so is every upsert after it. Changes of one record are saved in order, one per
 * round. A change with an ArrivalWait (`waits`, by position) whose awaited record has not arrived is saved in its
 * parked state instead (the first round's reads include the awaited records: no command more). Outcomes are in the
 * order of `changes`.
 */
export async function saveLatestMany(
  queue: Model<PendingChange>,
  copies: Model<RecordCopy>,
  changes: NewPendingChange[],
  state: PendingChangeState,
  saveOne: SaveOne,
  waits: (ArrivalWait | undefined)[] = [],
): Promise<IntakeOutcome[]> {
  if (state.status === 'synced' || waits.some((w) => w?.parked.status === 'synced'))
    throw new Error('saveLatestMany keeps open items only');
  const outcomes = new Array<IntakeOutcome>(changes.length);
  // Without the `_id` pushdown every conditional write reads first anyway: the writes go one by one there (the
  // checks against the queue and the copies are the same).
  const bulk = await idFiltersIndexed(queue.db, queue.collection.collectionName);
  let rest = changes.map((change, index) => ({ change, index, id: pendingChangeId(change), state }));
  // Awaited records arriving in this very batch are not waited for; the others are looked up with the first
  // round's own records (the same two reads).
  const arriving = new Set(rest.map((c) => c.id));
  const awaited = [...new Set(waits.flatMap((w) => (w && !arriving.has(w.awaitedId) ? [w.awaitedId] : [])))];
  let firstRound = true;
  while (rest.length > 0) {
    // This round: the first change of each record; the others wait for the next.
    const firsts = new Map<string, (typeof rest)[number]>();
    for (const c of rest) if (!firsts.has(c.id)) firsts.set(c.id, c);
    const round = [...firsts.values()];
    rest = rest.filter((c) => firsts.get(c.id) !== c);
    const { held, queued } = await heldContent(queue, copies, [
      ...round.map((c) => c.id),
      ...(firstRound ? awaited : []),
    ]);
    if (firstRound) {
      const missing = new Set(awaited.filter((id) => !held.has(id)));
      for (const c of [...round, ...rest]) {
        const wait = waits[c.index];
        if (wait && missing.has(wait.awaitedId)) c.state = wait.parked;
      }
      firstRound = false;
    }
    const writes = [];
    for (const c of round) {
      const h = held.get(c.id);
      if (h && h.eventId === c.change.eventId) outcomes[c.index] = 'duplicate';
      else if (h && h.occurredAt.getTime() > c.change.occurredAt.getTime()) outcomes[c.index] = 'stale';
      else writes.push(c);
    }
    const savedAs = (c: (typeof rest)[number]): IntakeOutcome => (c.state === state ? 'saved' : 'parked');
    // Records the queue does not hold are inserted; a racer's item in between refuses the insert.
    const inserts = bulk ? writes.filter((w) => !queued.has(w.id)) : [];
    const refused = new Set(await insertAll(queue, inserts));
    for (const [i, w] of inserts.entries()) if (!refused.has(i)) outcomes[w.index] = savedAs(w);
    const replaces = writes.filter((w) => outcomes[w.index] === undefined);
    const refusedFrom = bulk
      ? await upsertAll(
          queue,
          replaces.filter((w) => queued.has(w.id)),
        )
      : 0;
    let upsert = 0;
    for (const w of replaces) {
      const inBulk = bulk && queued.has(w.id) ? upsert++ : -1;
      if (inBulk >= 0 && inBulk < refusedFrom) outcomes[w.index] = savedAs(w);
      else {
        // Refused, or after a refusal (FerretDB v1 ends an unordered `update` at its first error), or one by one:
        // saved on its own; after a refusal, finding this very event stored means the batch's statement stored it.
        const alone = await saveOne(w.change, w.state);
        const saved = alone === 'saved' || (inBulk > refusedFrom && alone === 'duplicate');
        outcomes[w.index] = saved ? savedAs(w) : alone;
      }
    }
  }
  return outcomes;
}

/** Per `_id`: the open item's event, else the copy's (the queue's content is the newer when both exist); and
 * which `_id`s the queue holds. */
async function heldContent(
  queue: Model<PendingChange>,
  copies: Model<RecordCopy>,
  ids: string[],
): Promise<{ held: Map<string, Held>; queued: Set<string> }> {
  const projection = { eventId: 1, occurredAt: 1 };
  const inQueue = await findByIds<PendingChange, Held & { _id: string }>(queue, ids, projection);
  const held = new Map<string, Held>(inQueue.map((d) => [d._id, d]));
  const queued = new Set(held.keys());
  const rest = ids.filter((id) => !held.has(id));
  const copied = rest.length ? await findByIds<RecordCopy, Held & { _id: string }>(copies, rest, projection) : [];
  for (const d of copied) held.set(d._id, d);
  return { held, queued };
}

/** Inserts new items, each in its state, returning the positions refused (a racer inserted the record first). */
function insertAll(
  queue: Model<PendingChange>,
  writes: { change: NewPendingChange; id: string; state: PendingChangeState }[],
): Promise<number[]> {
  const now = new Date();
  const docs = writes.map((w) => ({
    _id: w.id,
    ...definedOnly({
      ...w.change,
      payload: JSON.stringify(w.change.payload),
      ...stateUpdate({ attempts: 0, ...w.state }).$set,
    }),
    createdAt: now,
    updatedAt: now,
  }));
  return insertManyNew(queue, docs, { lean: true });
}

/**
 * One unordered bulkWrite: each change replaces its item (in its own state) unless the item holds this event or
 * newer content, or is inserted. Returns the index of the first statement the engine refused with a duplicate key
 * (the condition failed: a racer's content), or the number of changes when all were applied; any other failure
 * throws. Statements after the first refusal are not known to be applied: MongoDB applies them, FerretDB v1 stops at
 * the first error even when told the order does not matter.
 */
async function upsertAll(
  queue: Model<PendingChange>,
  writes: { change: NewPendingChange; state: PendingChangeState }[],
): Promise<number> {
  if (writes.length === 0) return 0;
  const now = new Date();
  const ops = writes.map(({ change, state }) => {
    const { $set, $unset } = stateUpdate({ attempts: 0, ...state });
    return {
      updateMany: {
        // A string `_id` is not the driver's default ObjectId: the build needs the cast, the lint's view does not.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        filter: {
          _id: pendingChangeId(change),
          occurredAt: { $lte: change.occurredAt },
          eventId: { $ne: change.eventId },
        } as object,
        update: {
          $set: definedOnly({ ...change, payload: JSON.stringify(change.payload), ...$set, updatedAt: now }),
          $unset,
          $setOnInsert: { createdAt: now },
        },
        upsert: true,
      },
    };
  });
  try {
    await queue.collection.bulkWrite(ops, { ordered: false });
    return writes.length;
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { index: number; code?: number }[] }).writeErrors ?? [];
    if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000)) throw err;
    return Math.min(...writeErrors.map((e) => e.index));
  }
}

/** The driver would store an undefined field as null; mongoose (the single path) leaves it out. */
function definedOnly(doc: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined));
}
