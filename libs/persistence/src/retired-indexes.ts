import { Model } from 'mongoose';

/** MongoDB's (and FerretDB's) codes for "no such collection" and "no such index": nothing left to drop. */
const NOTHING_TO_DROP = new Set([26, 27]);

/**
 * Drops the named indexes where a deployment still has them (declared by an earlier version, needed by no query
 * now); returns the names dropped. Safe to run from every process at start: a name already gone is skipped.
 */
export async function dropRetiredIndexes<T>(model: Model<T>, names: string[]): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of names) {
    try {
      await model.collection.dropIndex(name);
      dropped.push(name);
    } catch (err) {
      if (!NOTHING_TO_DROP.has((err as { code?: number }).code ?? -1)) throw err;
    }
  }
  return dropped;
}
