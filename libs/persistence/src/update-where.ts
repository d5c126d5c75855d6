import type { Connection, Model } from 'mongoose';
import sift from 'sift';

/** One conditional single-document update: `update` applies to document `id` only while it matches `where`. */
export interface UpdateWhere {
  id: string;
  where: Record<string, unknown>;
  update: Record<string, unknown>;
}

/**
 * Told, on FerretDB only (where updateWhere reads each document first), which ops were not applied because their
 * document was missing (`doc` null) or did not match `where`, with the document as read: a caller that would
 * otherwise read it again to learn why can use this instead. On MongoDB nothing is read, so nothing is told.
 */
export type SeenMismatch = (index: number, doc: unknown) => void;

const ferretDb = new WeakMap<Connection, Promise<boolean>>();

/** Whether the connection's server is FerretDB (its buildInfo carries `ferretdbVersion`); asked once per connection. */
export function isFerretDb(connection: Connection): Promise<boolean> {
  let known = ferretDb.get(connection);
  if (!known) {
    known = connection
      .asPromise()
      .then((c) => c.db!.admin().command({ buildInfo: 1 }))
      .then((info) => typeof info.ferretdbVersion === 'string');
    // A failed probe (server away) is asked again next time.
    known.catch(() => ferretDb.delete(connection));
    ferretDb.set(connection, known);
  }
  return known;
}

/**
 * Applies conditional single-document updates and returns how many documents matched their condition.
 *
 * MongoDB gets `{ _id, ...where }` filters: atomic through the `_id` index. FerretDB v1 hands SQLite a filter only
 * when it is exactly `{ _id: <string> }`; any other filter (even `{ _id, claimToken }`) reads and parses the whole
 * collection, and the matched document is then written back in a separate step, so the condition was never atomic
 * there. On FerretDB each document is therefore read by `_id`, the same condition is evaluated here with MongoDB's
 * query semantics (sift), and the write goes by `_id` alone: FerretDB's own read-then-write, without the scan.
 * Writes use `updateMany` on the unique `_id` (one document) because FerretDB v1 holds a connection per
 * single-document statement until the whole bulkWrite ends (see docs/architecture.md).
 */
export async function updateWhere<T>(model: Model<T>, ops: UpdateWhere[], onMismatch?: SeenMismatch): Promise<number> {
  if (ops.length === 0) return 0;
  const checkedHere = await isFerretDb(model.db);
  let writes = ops;
  if (checkedHere) {
    const docs = await Promise.all(ops.map((o) => model.findById(o.id).lean().exec()));
    writes = ops.filter((o, i) => {
      const fits = docs[i] !== null && sift(o.where)(docs[i]);
      if (!fits) onMismatch?.(i, docs[i]);
      return fits;
    });
    if (writes.length === 0) return 0;
  }
  const res = await model.bulkWrite(
    writes.map((o) => ({
      updateMany: { filter: checkedHere ? { _id: o.id } : { ...o.where, _id: o.id }, update: o.update },
    })),
    { ordered: false },
  );
  return res.matchedCount;
}
