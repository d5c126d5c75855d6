import { randomUUID } from 'node:crypto';
import { EntityChangeEvent } from '@xero-sync/contracts';
import { NewPendingChange, PendingChangeRepository, SaveLatestOutcome } from '@xero-sync/persistence';
import { strictFake as strict } from '@xero-sync/testing';
import { BufferEntityChangeUseCase, INTAKE_BATCH_MAX } from './buffer-entity-change.usecase';

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
    saveLatestMany: async (changes, state) => {
      expect(state.status).toBe('pending');
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
});
