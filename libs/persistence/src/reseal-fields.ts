import type { Model } from 'mongoose';
import { updateWhere } from './update-where';

/** Seals a value again under the current key; null when it already is. Throws when it cannot be opened. */
export type Reseal = (sealed: string, aad: string) => string | null;

/** What one collection's re-sealing did: values sealed again, values already under the current key, lost races. */
export interface ResealCount {
  resealed: number;
  current: number;
  /** Values that changed between the read and the write (a token refresh): written under the current key anyway. */
  changedMeanwhile: number;
}

/**
 * Re-seals every sealed field of every document of `model`, one document at a time (constant memory). Each write
 * is conditional on the field still holding the value that was read, so a secret rotated or a token refreshed in
 * the meantime is never overwritten with the older one: the running apps seal new values under the current key
 * already, so a lost race leaves nothing behind under an old one.
 */
export async function resealFields<T>(
  model: Model<T>,
  fields: readonly string[],
  aadOf: (doc: Record<string, unknown>) => string,
  reseal: Reseal,
): Promise<ResealCount> {
  const count: ResealCount = { resealed: 0, current: 0, changedMeanwhile: 0 };
  const projection = Object.fromEntries(fields.map((f) => [f, 1]));
  const cursor = model
    .find({}, { ...projection, storeId: 1 })
    .lean()
    .cursor();
  for await (const doc of cursor as AsyncIterable<Record<string, unknown>>) {
    for (const field of fields) {
      const sealed = doc[field];
      if (typeof sealed !== 'string') continue;
      const next = reseal(sealed, aadOf(doc));
      if (next === null) {
        count.current++;
        continue;
      }
      const id = String(doc._id);
      const applied = await updateWhere(model, [
        { id, where: { [field]: sealed }, update: { $set: { [field]: next } } },
      ]);
      if (applied === 1) count.resealed++;
      else count.changedMeanwhile++;
    }
  }
  return count;
}
