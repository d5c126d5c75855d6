/** A lean document as the plain record repositories return: its `_id` as the string `id`. */
export function withId<T extends { _id: { toString(): string } }>(doc: T): Omit<T, '_id'> & { id: string } {
  const { _id, ...rest } = doc;
  return { id: _id.toString(), ...rest };
}
