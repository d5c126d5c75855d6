import { KeyedLimiter } from './keyed-limiter';

/** A task that runs until released, recording when it started. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
}

describe('KeyedLimiter', () => {
  it('runs at most `limit` tasks of one key at once, the others in arrival order; other keys are not held up', async () => {
    const limiter = new KeyedLimiter(2);
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const task = (name: string) => () => {
      started.push(name);
      const g = gate();
      gates.set(name, g);
      return g.done.then(() => name);
    };
    const a = ['a1', 'a2', 'a3', 'a4'].map((n) => limiter.run('a', task(n)));
    const b = limiter.run('b', task('b1'));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a1', 'a2', 'b1']);
    expect(limiter.load('a')).toEqual({ running: 2, waiting: 2 });

    gates.get('a2')!.release();
    await a[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
    expect(limiter.load('a')).toEqual({ running: 2, waiting: 1 });

    for (const name of ['a1', 'a3', 'b1']) gates.get(name)!.release();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    gates.get('a4')!.release();
    expect(await Promise.all([...a, b])).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
    expect(limiter.load('a')).toEqual({ running: 0, waiting: 0 });
  });

  it('frees the place of a task that fails', async () => {
    const limiter = new KeyedLimiter(1);
    await expect(limiter.run('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.load('k')).toEqual({ running: 0, waiting: 0 });
    expect(await limiter.run('k', () => Promise.resolve(7))).toBe(7);
  });
});
