import { isDuplicateKeyError } from './persistence.errors';

/**
 * Runs an upsert, and once more if it failed on a duplicate key. Two upserts of one new key race: both find no
 * document, both insert, and the later insert fails on the unique index. The document exists by then, so the same
 * upsert run again updates it. Any other error, or a second duplicate key, is thrown.
 */
export async function upsertRacing(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    await write();
  }
}
