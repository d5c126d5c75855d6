/**
 * The `storeId` condition of a query limited to a scope of stores: the exact store asked for if it is in the
 * scope (else a condition no document meets), or any store of the scope. Values are strings only, never
 * operators taken from input.
 */
export function storeScopeCondition(exact: unknown, scope: readonly string[]): string | { $in: string[] } {
  const stores = scope.map(String);
  if (typeof exact === 'string') return stores.includes(exact) ? exact : { $in: [] };
  return { $in: stores };
}
