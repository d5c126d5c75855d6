/**
 * A fake for unit specs that implements only what the spec expects to be called: any other member access throws
 * `unexpected call <name>.<member>`, so a spec fails on a call it did not plan for instead of passing silently.
 */
export function strictFake<T extends object>(name: string, impl: Partial<T>): T {
  return new Proxy(impl, {
    get(target, prop) {
      if (prop === 'then') return undefined;
      if (!(prop in target)) throw new Error(`unexpected call ${name}.${String(prop)}`);
      return (target as Record<string | symbol, unknown>)[prop];
    },
  }) as T;
}
