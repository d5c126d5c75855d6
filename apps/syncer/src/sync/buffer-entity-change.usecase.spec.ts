import { randomUUID } from 'node:crypto';
import { EntityChangeEvent } from '@xero-sync/contracts';
import {
  ArrivalWait,
  NewPendingChange,
  PendingChangeRepository,
  PendingChangeState,
  SaveLatestOutcome,
} from '@xero-sync/persistence';
import { strictFake as strict } from '@xero-sync/testing';
import { BufferEntityChangeUseCase, INTAKE_BATCH_MAX } from './buffer-entity-change.usecase';
import { PARKED_HOLD_MAX_MS } from './sync-policy';

function event(entityId: string): EntityChangeEvent {
  return {
    eventId: randomUUID(),
    storeId: 'store-1',
    entity: 'customer',
    entityId,
    occurredAt: '2026-01-01T00:00:10Z',
    origin: 'webhook',
    schemaVersion: 1,
    payload: { id: Number(entityId), email: 'a@example.com', firstname: 'A', lastname: 'B' } as never,
  };
}

/** A queue whose batch writes are recorded and answered by `answer` (after `gate` opens, when given). */
function queueRecording(answer: (c: NewPendingChange) => SaveLatestOutcome, gate?: Promise<void>) {
  const batches: NewPendingChange[][] = [];
  const queue = strict<PendingChangeRepository>('queue', {
    saveLatestMany: async (changes, state, waits) => {
      expect(state.status).toBe('pending');
      // Customers wait for nothing to arrive first.
      expect(waits).toEqual(changes.map(() => undefined));
      batches.push(changes);
      await gate;
      return changes.map(answer);
    },
  });
  return { queue, batches };
}

describe('BufferEntityChangeUseCase', () => {
  it('saves events handled at the same time in one write and answers each its own outcome', async () => {
    const { queue, batches } = queueRecording((c) => (c.entityId === '2' ? 'duplicate' : 'saved'));
    const buffer = new BufferEntityChangeUseCase(queue);
    const outcomes = await Promise.all(['1', '2', '3'].map((id) => buffer.execute(event(id), `corr-${id}`)));
    expect(outcomes).toEqual(['saved', 'duplicate', 'saved']);
    expect(batches).toHaveLength(1);
    expect(batches[0].map((c) => [c.entityId, c.correlationId])).toEqual([
      ['1', 'corr-1'],
      ['2', 'corr-2'],
      ['3', 'corr-3'],
    ]);
  });

  it('gathers what arrives during a write into the next batch', async () => {
    let open!: () => void;
    const { queue, batches } = queueRecording(() => 'saved', new Promise<void>((r) => (open = r)));
    const buffer = new BufferEntityChangeUseCase(queue);
    const first = buffer.execute(event('1'));
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toHaveLength(1);
    const later = ['2', '3'].map((id) => buffer.execute(event(id)));
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toHaveLength(1);
    open();
    expect(await Promise.all([first, ...later])).toEqual(['saved', 'saved', 'saved']);
    expect(batches.map((b) => b.map((c) => c.entityId))).toEqual([['1'], ['2', '3']]);
  });

  it('writes at once when a full batch is waiting, and splits more than a batch', async () => {
    const { queue, batches } = queueRecording(() => 'saved');
    const buffer = new BufferEntityChangeUseCase(queue);
    const n = INTAKE_BATCH_MAX + 3;
    const outcomes = await Promise.all(Array.from({ length: n }, (_, i) => buffer.execute(event(String(i)))));
    expect(outcomes).toHaveLength(n);
    expect(batches.map((b) => b.length)).toEqual([INTAKE_BATCH_MAX, 3]);
  });

  it('fails every event of a failed write, and the next events are written again', async () => {
    let fail = true;
    const batches: number[] = [];
    const queue = strict<PendingChangeRepository>('queue', {
      saveLatestMany: async (changes) => {
        batches.push(changes.length);
        if (fail) throw new Error('database away');
        return changes.map(() => 'saved' as const);
      },
    });
    const buffer = new BufferEntityChangeUseCase(queue);
    const failed = await Promise.allSettled(['1', '2'].map((id) => buffer.execute(event(id))));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await buffer.execute(event('1'))).toBe('saved');
    expect(batches).toEqual([2, 1]);
  });

  describe('a store invoice or credit memo whose prerequisite has not arrived', () => {
    const invoiceEvent = (entityId: string, orderId: number): EntityChangeEvent => ({
      ...event(entityId),
      entity: 'invoice',
      payload: { entity_id: Number(entityId), order_id: orderId, order_increment_id: `00000${orderId}` } as never,
    });
    const memoEvent = (entityId: string, invoiceId: number): EntityChangeEvent => ({
      ...event(entityId),
      entity: 'creditmemo',
      payload: { entity_id: Number(entityId), order_id: 1, invoice_id: invoiceId } as never,
    });

    function parkingQueue(synced: string[]) {
      const seen: { changes: NewPendingChange[]; waits: (ArrivalWait | undefined)[] }[] = [];
      const noted: { storeId: string; waiterId: string; awaitedId: string }[][] = [];
      const asked: string[][] = [];
      const woken: string[][] = [];
      const queue = strict<PendingChangeRepository>('queue', {
        saveLatestMany: async (changes, _state: PendingChangeState, waits = []) => {
          seen.push({ changes, waits });
          // As if none of the awaited records were held.
          return changes.map((_, i) => (waits[i] ? 'parked' : 'saved'));
        },
        noteWaitersOfStores: async (notes) => {
          noted.push(notes);
        },
        syncedOf: async (ids) => {
          asked.push(ids);
          return ids.filter((id) => synced.includes(id));
        },
        wakeWaitersOf: async (ids) => {
          woken.push(ids);
          return ids.length;
        },
      });
      return { queue, seen, noted, asked, woken };
    }

    it('is saved waiting for it, without an attempt, noted so its sync wakes it, and due at most at the capped horizon', async () => {
      const { queue, seen, noted, asked, woken } = parkingQueue([]);
      const buffer = new BufferEntityChangeUseCase(queue);
      const before = Date.now();
      const outcomes = await Promise.all([
        buffer.execute(invoiceEvent('5', 9), 'c-5', 60),
        buffer.execute(memoEvent('6', 5), 'c-6', 2),
        buffer.execute(event('7'), 'c-7', 60),
      ]);
      expect(outcomes).toEqual(['saved', 'saved', 'saved']);
      expect(seen).toHaveLength(1);
      const [invoiceWait, memoWait, none] = seen[0].waits;
      expect(none).toBeUndefined();
      expect(invoiceWait).toMatchObject({
        awaitedId: 'store-1|order|9',
        parked: {
          status: 'waiting',
          attempts: 0,
          waitingFor: 'store-1|order|9',
          waitingOn: 'waiting for order 000009 to arrive from the store',
        },
      });
      const due = (w: ArrivalWait | undefined) =>
        w!.parked.nextAttemptAt!.getTime() - w!.parked.waitingSince!.getTime();
      // The store's horizon of 60 min is capped; one of 2 min is kept.
      expect(due(invoiceWait)).toBe(PARKED_HOLD_MAX_MS);
      expect(due(memoWait)).toBe(2 * 60_000);
      expect(invoiceWait!.parked.waitingSince!.getTime()).toBeGreaterThanOrEqual(before);
      expect(memoWait).toMatchObject({
        awaitedId: 'store-1|invoice|5',
        parked: { waitingOn: 'waiting for store invoice 5 (its payment) to arrive from the store' },
      });
      // One command for the notes of every store of the batch.
      expect(noted).toEqual([
        [
          { storeId: 'store-1', waiterId: 'store-1|invoice|5', awaitedId: 'store-1|order|9' },
          { storeId: 'store-1', waiterId: 'store-1|creditmemo|6', awaitedId: 'store-1|invoice|5' },
        ],
      ]);
      // Neither reached Xero meanwhile: nothing woken.
      expect(asked).toEqual([['store-1|order|9', 'store-1|invoice|5']]);
      expect(woken).toEqual([]);
    });

    it('is woken at once when its record reached Xero while it was being saved (that sync found no note yet)', async () => {
      const { queue, woken } = parkingQueue(['store-1|order|9']);
      const buffer = new BufferEntityChangeUseCase(queue);
      await buffer.execute(invoiceEvent('5', 9));
      expect(woken).toEqual([['store-1|order|9']]);
    });

    it('is woken when this syncer saves the record it waits for, so one flush delivers the two together', async () => {
      const { queue, woken } = parkingQueue([]);
      const buffer = new BufferEntityChangeUseCase(queue);
      await buffer.execute(invoiceEvent('5', 9));
      expect(woken).toEqual([]);
      const order = { ...event('9'), entity: 'order' as const, payload: { entity_id: 9 } as never };
      expect(await buffer.execute(order)).toBe('saved');
      expect(woken).toEqual([['store-1|order|9']]);
      // Woken once: the order's next change wakes nothing more.
      await buffer.execute({ ...order, eventId: randomUUID() });
      expect(woken).toHaveLength(1);
    });
  });
});
