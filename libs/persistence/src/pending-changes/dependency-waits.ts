import { Model } from 'mongoose';
import { updateWhere } from '../update-where';
import { upsertRacing } from '../upsert-racing';
import { DependencyWait, PendingChange } from './pending-change.schema';

// Who waits for which record (`dependency_waits`), and waking them when it syncs; PendingChangeRepository's
// noteWaiters / wakeWaitersOf.

/**
 * Notes that each item `waiterId` waits for record `awaitedId` (pending-change `_id`s, of the note's store), so its
 * sync wakes it: one command for all of them, of any stores (an unordered bulkWrite of `$addToSet` upserts on the
 * awaited record's `_id`).
 */
export async function noteWaiters(
  waits: Model<DependencyWait>,
  notes: { storeId: string; waiterId: string; awaitedId: string }[],
): Promise<void> {
  if (notes.length === 0) return;
  const byAwaited = new Map<string, string[]>();
  const storeOf = new Map<string, string>();
  for (const n of notes) {
    byAwaited.set(n.awaitedId, [...(byAwaited.get(n.awaitedId) ?? []), n.waiterId]);
    storeOf.set(n.awaitedId, n.storeId);
  }
  // Two first waiters upserted at once: the other one created the document, and running the whole batch again
  // adds to it ($addToSet: a statement applied twice changes nothing; FerretDB v1 ends the command at the error).
  await upsertRacing(() =>
    waits.bulkWrite(
      [...byAwaited].map(([awaitedId, waiterIds]) => ({
        updateMany: {
          filter: { _id: awaitedId },
          update: { $addToSet: { waiters: { $each: waiterIds } }, $setOnInsert: { storeId: storeOf.get(awaitedId) } },
          upsert: true,
        },
      })),
      { ordered: false },
    ),
  );
}

/**
 * The records `syncedIds` reached Xero: the items still waiting for any of them, or failed after waiting too long
 * for them, become due now (instead of at the end of their back-off) and the notes are dropped. Returns how many
 * items were woken.
 */
export async function wakeWaitersOf(
  model: Model<PendingChange>,
  waits: Model<DependencyWait>,
  syncedIds: string[],
  now: Date,
): Promise<number> {
  if (syncedIds.length === 0) return 0;
  const notes = await waits
    .find({ _id: { $in: syncedIds } })
    .lean<{ _id: string; waiters: string[] }[]>()
    .exec();
  if (notes.length === 0) return 0;
  // A waiting item stays `waiting` (an Immediately syncer that parked it retries it from that status); one failed
  // after its horizon is open again.
  const due = { $set: { nextAttemptAt: now } };
  const revived = { $set: { status: 'pending', nextAttemptAt: now } };
  const woken = await updateWhere(
    model,
    notes.flatMap((n) =>
      n.waiters.flatMap((id) => [
        { id, where: { status: 'waiting', waitingFor: n._id }, update: due },
        { id, where: { status: 'failed', waitingFor: n._id }, update: revived },
      ]),
    ),
  );
  // A waiter noted between the read and this delete loses its note; its back-off (capped by the wait horizon)
  // still brings it back.
  await waits.deleteMany({ _id: { $in: notes.map((n) => n._id) } }).exec();
  return woken;
}
