import { PendingChangeRecord, PendingChangeRepository } from '@xero-sync/persistence';
import { StoreDependencyQueries } from './store-dependency.queries';

/** A queue holding `records` by "entity:id"; only findByKeys may be called. */
function queueOf(records: Record<string, Partial<PendingChangeRecord>>): PendingChangeRepository {
  return {
    findByKeys: async (_storeId: string, keys: { entity: string; entityId: string }[]) =>
      keys.flatMap(({ entity, entityId }) => {
        const r = records[`${entity}:${entityId}`];
        return r ? [{ ...r, entity, entityId } as PendingChangeRecord] : [];
      }),
  } as unknown as PendingChangeRepository;
}

const memo = (payload: Record<string, unknown>) => ({
  entity: 'creditmemo' as const,
  entityId: '7',
  payload: { order_id: 3, order_increment_id: '000000003', grand_total: 10, ...payload },
});

describe('StoreDependencyQueries', () => {
  it('a credit memo naming a store invoice waits until that invoice is synced or in the same batch', async () => {
    const waiting = new StoreDependencyQueries(queueOf({ 'invoice:9': { status: 'pending' } }));
    const r = await waiting.unmet('s', memo({ invoice_id: 9 }));
    expect(r).toMatchObject({
      status: 'waiting',
      message: 'waiting for store invoice 9 (its payment) to be in Xero first',
    });
    expect(await waiting.unmet('s', memo({ invoice_id: 9 }), new Set(['invoice:9']))).toBeUndefined();
    // Not arrived yet: still waits.
    expect(await new StoreDependencyQueries(queueOf({})).unmet('s', memo({ invoice_id: 9 }))).toMatchObject({
      status: 'waiting',
    });
    const synced = new StoreDependencyQueries(queueOf({ 'invoice:9': { status: 'synced' } }));
    expect(await synced.unmet('s', memo({ invoice_id: 9 }))).toBeUndefined();
  });

  it('a credit memo naming no store invoice waits for its order’s latest change (what the store was paid)', async () => {
    const pending = new StoreDependencyQueries(queueOf({ 'order:3': { status: 'pending' } }));
    expect(await pending.unmet('s', memo({ invoice_id: null }))).toMatchObject({
      status: 'waiting',
      message: "waiting for order 000000003's latest change to be in Xero first",
    });
    expect(await pending.unmet('s', memo({}), new Set(['order:3']))).toBeUndefined();
    const synced = new StoreDependencyQueries(queueOf({ 'order:3': { status: 'synced' } }));
    expect(await synced.unmet('s', memo({}))).toBeUndefined();
    // An order the queue never held has nothing to wait for (Xero delivery checks it is in Xero).
    expect(await new StoreDependencyQueries(queueOf({})).unmet('s', memo({}))).toBeUndefined();
  });

  it('a batch reads the prerequisites of all its items at once and answers each in order', async () => {
    const q = new StoreDependencyQueries(
      queueOf({ 'invoice:9': { status: 'synced' }, 'order:3': { status: 'pending' } }),
    );
    const results = await q.unmetAll('s', [
      memo({ invoice_id: 9 }),
      memo({ invoice_id: null }),
      memo({ invoice_id: 8 }),
    ]);
    expect(results.map((r) => r?.message)).toEqual([
      undefined,
      "waiting for order 000000003's latest change to be in Xero first",
      'waiting for store invoice 8 (its payment) to be in Xero first',
    ]);
  });

  it('other entities have no store-side dependency here', async () => {
    const q = new StoreDependencyQueries(queueOf({}));
    expect(await q.unmet('s', { entity: 'invoice', entityId: '1', payload: { order_id: 3 } })).toBeUndefined();
  });
});
