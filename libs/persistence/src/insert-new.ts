import { Model } from 'mongoose';
import { isDuplicateKeyError } from './persistence.errors';

/**
 * One unordered insertMany; returns the positions of the documents refused because their unique key already
 * exists (another writer was first). Any other failure is thrown. A duplicate-key error without per-document
 * detail counts every document as refused, the reading that never mistakes a lost race for a win. `lean` sends
 * the documents as given (no casting, validation or defaults: for documents the caller builds whole).
 */
export async function insertManyNew<T>(
  model: Model<T>,
  docs: object[],
  opts: { lean?: boolean } = {},
): Promise<number[]> {
  if (docs.length === 0) return [];
  try {
    await model.insertMany(docs, { ordered: false, lean: opts.lean ?? false });
    return [];
  } catch (err) {
    const failed =
      (err as { writeErrors?: { index?: number; code?: number; err?: { index?: number; code?: number } }[] })
        .writeErrors ?? [];
    if (failed.length === 0 && !isDuplicateKeyError(err)) throw err;
    // Only a duplicate key means "a racer was first"; any other refused document is a real failure.
    if (failed.some((e) => (e.code ?? e.err?.code) !== 11000)) throw err;
    if (failed.length === 0) return docs.map((_, i) => i);
    return failed.map((e) => e.index ?? e.err?.index ?? 0);
  }
}
