import type { RecordedCall } from '@xero-sync/persistence';
import { CallStatsWriter } from './call-stats-writer';

const call = (tenantId: string, s: number): RecordedCall => ({
  tenantId,
  endpoint: 'POST_Invoices',
  status: 200,
  at: new Date(Date.UTC(2026, 11, 5, 10, 0, s)),
});

/** A store of writes that holds each one until released, to see what goes together. */
function recordingStore() {
  const writes: string[][] = [];
  let open = 0;
  let maxOpen = 0;
  let release: (() => void) | undefined;
  const write = async (calls: RecordedCall[]) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    writes.push(calls.map((c) => c.tenantId));
    await new Promise<void>((r) => (release = r));
    open--;
  };
  return { writes, write, maxOpen: () => maxOpen, release: () => release?.() };
}

describe('CallStatsWriter', () => {
  it('writes the calls of a gather window together, and those finishing during a write in the next one', async () => {
    const store = recordingStore();
    const writer = new CallStatsWriter(store.write, 20);
    writer.add(call('a', 1));
    writer.add(call('b', 2));
    writer.add(call('a', 3));
    await new Promise((r) => setTimeout(r, 40));
    expect(store.writes).toEqual([['a', 'b', 'a']]);
    writer.add(call('c', 4));
    writer.add(call('a', 5));
    store.release();
    await new Promise((r) => setTimeout(r, 5));
    expect(store.writes).toEqual([
      ['a', 'b', 'a'],
      ['c', 'a'],
    ]);
    store.release();
    await writer.settle();
    expect(store.maxOpen()).toBe(1);
  });

  it('settle writes at once what waits in the gather window', async () => {
    const writes: string[][] = [];
    const writer = new CallStatsWriter(async (calls) => void writes.push(calls.map((c) => c.tenantId)), 60_000);
    writer.add(call('a', 1));
    await writer.settle();
    expect(writes).toEqual([['a']]);
    writer.add(call('b', 2));
    await writer.settle();
    expect(writes).toEqual([['a'], ['b']]);
  });

  it('a failed write drops only its own counts; later calls are written', async () => {
    const writes: string[][] = [];
    let fail = true;
    const writer = new CallStatsWriter(async (calls) => {
      if (fail) {
        fail = false;
        throw new Error('database away');
      }
      writes.push(calls.map((c) => c.tenantId));
    }, 1);
    writer.add(call('a', 1));
    await writer.settle();
    writer.add(call('b', 2));
    await writer.settle();
    expect(writes).toEqual([['b']]);
  });
});
