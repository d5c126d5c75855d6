import { chunkEntries, Entry } from './batch-writer';
import { item, stageWorld, STORE } from './test/stage-kit';

const entry = (id: string, bytes = 10, onOk: Entry['onOk'] = () => undefined): Entry => ({
  items: [],
  link: { storeId: STORE, entity: 'product', entityId: id },
  businessKey: `K-${id}`,
  hash: id,
  body: { Code: `K-${id}`, pad: 'x'.repeat(bytes) },
  onOk,
  onFail: () => {
    throw new Error(`unexpected failure of ${id}`);
  },
});

describe('BatchWriter', () => {
  it('cuts batches at the element count and at 95 % of the byte ceiling', () => {
    const many = Array.from({ length: 120 }, (_, i) => entry(String(i)));
    expect(chunkEntries(many, { batchSize: 50, maxBytes: 3_500_000 }).map((c) => c.length)).toEqual([50, 50, 20]);
    const big = Array.from({ length: 4 }, (_, i) => entry(String(i), 400));
    expect(chunkEntries(big, { batchSize: 50, maxBytes: 1000 }).map((c) => c.length)).toEqual([2, 2]);
  });

  it('hands each answer to its entry by business key, whatever order Xero answers in', async () => {
    const got: string[] = [];
    const w = stageWorld([item('product', 'a', {} as never)]);
    const entries = ['a', 'b'].map((id) => entry(id, 1, (el) => void got.push(`${id}=${String(el.ItemID)}`)));
    await w.writer.write(entries, {
      action: 'items',
      lane: 'master',
      keyField: 'Code',
      send: async (bodies, call) => {
        expect(call.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
        return {
          status: 200,
          body: [...bodies].reverse().map((b) => ({ ...b, ItemID: `id-${(b as { Code: string }).Code}` })),
        };
      },
    });
    expect(got).toEqual(['a=id-K-a', 'b=id-K-b']);
  });

  it("makes a batch's pending markers durable in one write before its call, and marks nothing idempotent", async () => {
    const w = stageWorld([]);
    const entries = ['a', 'b', 'c', 'd'].map((id) => ({ ...entry(id), pending: id !== 'd' }));
    const markedAtCall: string[][] = [];
    await w.writer.write(entries, {
      action: 'items',
      lane: 'master',
      keyField: 'Code',
      send: async (bodies) => {
        markedAtCall.push(w.pendingMarks.map((m) => m.businessKey));
        return { status: 200, body: bodies.map((b) => ({ ...b, ItemID: 'id' })) };
      },
    });
    expect(markedAtCall).toEqual([['K-a', 'K-b', 'K-c']]);
    expect(w.pendingWrites).toEqual([3]);
  });

  it('keeps a short last batch back for a later write of the same pool; the run sends what no write took', async () => {
    const w = stageWorld([]);
    const sizes: number[] = [];
    const spec = {
      action: 'items',
      lane: 'master' as const,
      keyField: 'Code',
      send: async (bodies: object[]) => {
        sizes.push(bodies.length);
        return { status: 200, body: bodies.map((b) => ({ ...b, ItemID: 'id' })) };
      },
    };
    const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => entry(String(from + i)));
    await w.writer.write(ids(60), spec, { pool: 'p', keepTail: () => true });
    expect(sizes).toEqual([50]);
    await w.writer.write(ids(5, 100), spec, { pool: 'p' });
    expect(sizes).toEqual([50, 15]);
    // A tail holding an entry that may not wait is sent; entries that may not wait are put first.
    const mustGo = new Set(['200']);
    await w.writer.write(ids(52, 200), spec, { pool: 'p', keepTail: (e) => !mustGo.has(e.hash) });
    expect(sizes).toEqual([50, 15, 50]);
    await w.writer.write(ids(30, 300), spec, { pool: 'p', keepTail: () => true });
    expect(sizes).toEqual([50, 15, 50]);
    await w.writer.flushKept();
    expect(sizes).toEqual([50, 15, 50, 32]);
    await w.writer.flushKept();
    expect(sizes).toHaveLength(4);
  });
});
