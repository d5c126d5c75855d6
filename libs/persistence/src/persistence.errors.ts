/** A write would break a unique index; `index` names the business key that collided. */
export class DuplicateKeyError extends Error {
  readonly code = 'DUPLICATE_KEY';
  constructor(
    readonly collection: string,
    readonly key: Record<string, unknown>,
  ) {
    super(`duplicate key in ${collection}: ${JSON.stringify(key)} already exists`);
    this.name = 'DuplicateKeyError';
  }
}

/** True for MongoDB's E11000 duplicate key error (also what FerretDB returns). */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
