/**
 * The named fields of a lean document, as a plain record takes them over unchanged: repositories name what they
 * pass on (so a stored secret or hash never leaks by default) and compute only the fields that differ.
 */
export function pickFields<T extends object, K extends keyof T>(doc: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) picked[key] = doc[key];
  return picked;
}
