import { mongo, type Connection, type Model } from 'mongoose';
import sift from 'sift';

/** One conditional single-document update: `update` applies to document `id` only while it matches `where`. */
export interface UpdateWhere {
  id: string;
  where: Record<string, unknown>;
  update: Record<string, unknown>;
}

/**
 * Told, where updateWhere reads the documents first (a FerretDB without the `_id` pushdown), which ops were not
 * applied because their document was missing (`doc` null) or did not match `where`, with the document as read: a
 * caller that would otherwise read it again to learn why can use this instead. Elsewhere nothing is read, so
 * nothing is told.
 */
export type SeenMismatch = (index: number, doc: unknown) => void;

const ferretDb = new WeakMap<Connection, Promise<boolean>>();
const indexedById = new WeakMap<Connection, Map<string, Promise<boolean>>>();

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
 * Whether a filter of `_id` plus other conditions is answered from the `_id` index on this collection: always on
 * MongoDB; on FerretDB v1 only when built with infra/ferretdb/filter-pushdown.patch (its explain then reports the
 * filter pushed down). Asked once per connection and collection; an empty answer (no collection yet) is asked
 * again next time.
 */
export async function idFiltersIndexed(connection: Connection, name: string): Promise<boolean> {
  if (!(await isFerretDb(connection))) return true;
  let byCollection = indexedById.get(connection);
  if (!byCollection) indexedById.set(connection, (byCollection = new Map<string, Promise<boolean>>()));
  let known = byCollection.get(name);
  if (!known) {
    const probe = connection.db!.command({ explain: { find: name, filter: { _id: '', _probe: 1 } } });
    known = probe.then((r) => r.filterPushdown === true);
    const asked = byCollection;
    // Only a plan (the collection exists) is an answer worth keeping.
    void probe.then(
      (r) => {
        if (!(r.queryPlanner as { Plan?: unknown[] } | undefined)?.Plan?.length) asked.delete(name);
      },
      () => asked.delete(name),
    );
    byCollection.set(name, known);
  }
  return known;
}

/** `_id` of one or many documents: a lone string where there is one (the filter every engine indexes). */
function idFilter(ids: string[]): { _id: string | { $in: string[] } } {
  return { _id: ids.length === 1 ? ids[0] : { $in: ids } };
}

/** Ops with the same condition and update, so each group is one `updateMany` over an `_id` list. */
function grouped(ops: UpdateWhere[]): { ids: string[]; op: UpdateWhere }[] {
  const groups = new Map<string, { ids: string[]; op: UpdateWhere }>();
  for (const op of ops) {
    // Extended JSON tells a date from its ISO string, so only truly equal ops share a statement.
    const key = mongo.BSON.EJSON.stringify([op.where, op.update], { relaxed: false });
    const group = groups.get(key);
    if (group) group.ids.push(op.id);
    else groups.set(key, { ids: [op.id], op });
  }
  return [...groups.values()];
}

/**
 * Applies conditional single-document updates and returns how many documents matched their condition. Writes are
 * one unordered bulkWrite of `updateMany`s (never many `updateOne`s: FerretDB v1 holds a connection per
 * single-document statement until the whole command ends, see docs/architecture.md).
 *
 * Where `{ _id, ...where }` is answered from the `_id` index (MongoDB, and FerretDB built with the pushdown patch)
 * the condition is in the filter (atomic on MongoDB) and ops with the same condition and update share one
 * `updateMany` on their `_id` list: one command, no read. A FerretDB without the patch reads and parses the whole
 * collection for such a filter, so there each document is read by `_id` first, the condition is evaluated here with
 * MongoDB's query semantics (sift), and each write goes by `_id` alone: FerretDB applies a condition as a separate
 * read and whole-document write anyway, so nothing atomic is lost, only the scan.
 */
export async function updateWhere<T>(model: Model<T>, ops: UpdateWhere[], onMismatch?: SeenMismatch): Promise<number> {
  if (ops.length === 0) return 0;
  if (await idFiltersIndexed(model.db, model.collection.collectionName)) {
    const res = await model.bulkWrite(
      grouped(ops).map((g) => ({ updateMany: { filter: { ...g.op.where, ...idFilter(g.ids) }, update: g.op.update } })),
      { ordered: false },
    );
    return res.matchedCount;
  }
  // One indexed read per document: this FerretDB answers an `_id` list by scanning too.
  const docs = await Promise.all(ops.map((o) => model.findById(o.id).lean().exec()));
  const writes = ops.filter((o, i) => {
    const fits = docs[i] !== null && sift(o.where)(docs[i]);
    if (!fits) onMismatch?.(i, docs[i]);
    return fits;
  });
  if (writes.length === 0) return 0;
  const res = await model.bulkWrite(
    writes.map((o) => ({ updateMany: { filter: { _id: o.id }, update: o.update } })),
    { ordered: false },
  );
  return res.matchedCount;
}

/**
 * The documents with these `_id`s (missing ones left out), lean: one `_id: {$in}` query where the engine answers
 * it from the index (see idFiltersIndexed), else one indexed read per id.
 */
export async function findByIds<T, D = T>(model: Model<T>, ids: string[], projection?: object): Promise<D[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  if (unique.length > 1 && (await idFiltersIndexed(model.db, model.collection.collectionName))) {
    // All in the first reply: past 101 documents the driver would fetch the rest with getMore, and a server that
    // was not told the limit keeps the cursor open for one more empty getMore.
    return model
      .find({ _id: { $in: unique } }, projection)
      .limit(unique.length)
      .batchSize(unique.length)
      .lean<D[]>()
      .exec();
  }
  const docs = await Promise.all(unique.map((id) => model.findById(id, projection).lean<D>().exec()));
  return docs.filter((d): d is NonNullable<typeof d> => d !== null);
}
