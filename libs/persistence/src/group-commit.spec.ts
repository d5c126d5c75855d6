import { KeyedGroupCommit } from './group-commit';

const settle = () => new Promise((r) => setTimeout(r, 5));

/** A handler whose batches end when the test says; records every batch it was given. */
function heldHandler() {
  const batches: { key: string; items: number[] }[] = [];
  const release: (() => void)[] = [];
  const handle = async (key: string, items: number[]) => {
    batches.push({ key, items });
    await new Promise<void>((r) => release.push(r));
    return items.map((n) => n * 10);
  };
  return { batches, release, handle };
}

describe('KeyedGroupCommit', () => {
  it('starts a lone item at once and hands what arrives meanwhile to the next batch, each caller its own result', async () => {
    const h = heldHandler();
    const commit = new KeyedGroupCommit(h.handle, { maxBatch: 100, gatherMs: 0 });
    const first = commit.submit('a', 1);
    await settle();
    expect(h.batches).toEqual([{ key: 'a', items: [1] }]);
    const rest = Promise.all([2, 3, 4].map((n) => commit.submit('a', n)));
    await settle();
    expect(commit.load('a')).toEqual({ waiting: 3, running: 1 });
    h.release.shift()!();
    expect(await first).toBe(10);
    await settle();
    expect(h.batches[1]).toEqual({ key: 'a', items: [2, 3, 4] });
    h.release.shift()!();
    expect(await rest).toEqual([20, 30, 40]);
    await settle();
    // An idle key keeps nothing.
    expect(commit.load('a')).toEqual({ waiting: 0, running: 0 });
  });

  it('runs keys independently and splits a backlog into batches of at most maxBatch', async () => {
    const h = heldHandler();
    const commit = new KeyedGroupCommit(h.handle, { maxBatch: 2, gatherMs: 0 });
    const all = Promise.all([
      commit.submit('a', 1),
      commit.submit('b', 2),
      commit.submit('a', 3),
      commit.submit('a', 5),
    ]);
    await settle();
    expect(h.batches).toEqual([
      { key: 'a', items: [1, 3] },
      { key: 'b', items: [2] },
    ]);
    for (let i = 0; i < 3; i++) {
      h.release.splice(0).forEach((r) => r());
      await settle();
    }
    expect(h.batches[2]).toEqual({ key: 'a', items: [5] });
    expect(await all).toEqual([10, 20, 30, 50]);
  });

  it('rejects every item of a batch that throws and goes on with the next batch', async () => {
    let calls = 0;
    const commit = new KeyedGroupCommit(
      async (_key: string, items: number[]) => {
        calls += 1;
        if (calls === 1) {
          await settle();
          throw new Error('database down');
        }
        return items.map((n) => -n);
      },
      { maxBatch: 10, gatherMs: 0 },
    );
    const failed = commit.submit('a', 1);
    const failedToo = failed.catch((e: Error) => e.message);
    await new Promise((r) => setImmediate(r));
    const next = commit.submit('a', 2);
    expect(await failedToo).toBe('database down');
    expect(await next).toBe(-2);
  });

  it('waits gatherMs for items arriving with the first', async () => {
    const seen: number[][] = [];
    const commit = new KeyedGroupCommit(
      async (_key: string, items: number[]) => {
        seen.push(items);
        return items;
      },
      { maxBatch: 10, gatherMs: 20 },
    );
    const a = commit.submit('k', 1);
    await new Promise((r) => setTimeout(r, 2));
    const b = commit.submit('k', 2);
    expect(await Promise.all([a, b])).toEqual([1, 2]);
    expect(seen).toEqual([[1, 2]]);
  });

  it('with concurrency, starts another batch alongside only for a full batch waiting', async () => {
    const h = heldHandler();
    const commit = new KeyedGroupCommit(h.handle, { maxBatch: 2, gatherMs: 0, concurrency: 2 });
    const results = [commit.submit('a', 1)];
    await settle();
    results.push(commit.submit('a', 2));
    await settle();
    // One item waiting: it waits for the running batch.
    expect(h.batches.map((b) => b.items)).toEqual([[1]]);
    results.push(commit.submit('a', 3));
    await settle();
    // A full batch waiting: it starts alongside.
    expect(h.batches.map((b) => b.items)).toEqual([[1], [2, 3]]);
    results.push(commit.submit('a', 4), commit.submit('a', 5), commit.submit('a', 6));
    await settle();
    // No third batch at once (concurrency 2), whatever waits.
    expect(commit.load('a')).toEqual({ waiting: 3, running: 2 });
    h.release.shift()!();
    await settle();
    // The freed place takes a full batch; the one left waits for the last batch running.
    expect(h.batches.map((b) => b.items)).toEqual([[1], [2, 3], [4, 5]]);
    h.release.shift()!();
    await settle();
    expect(commit.load('a')).toEqual({ waiting: 1, running: 1 });
    h.release.shift()!();
    await settle();
    expect(h.batches.map((b) => b.items)).toEqual([[1], [2, 3], [4, 5], [6]]);
    h.release.shift()!();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50, 60]);
  });
});
