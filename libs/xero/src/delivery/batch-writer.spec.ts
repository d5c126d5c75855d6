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
});
