import { PendingChangeRecord, PendingChangeRepository } from '@xero-sync/persistence';
import { StoreDependencyQueries } from './store-dependency.queries';

/** A queue holding `records` by "entity:id"; only findByKey may be called. */
function queueOf(records: Record<string, Partial<PendingChangeRecord>>): PendingChangeRepository {
  return {
    findByKey: async (_storeId: string, entity: string, entityId: string) =>
      (records[`${entity}:${entityId}`] as PendingChangeRecord | undefined) ?? null,
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

  it('other entities have no store-side dependency here', async () => {
    const q = new StoreDependencyQueries(queueOf({}));
    expect(await q.unmet('s', { entity: 'invoice', entityId: '1', payload: { order_id: 3 } })).toBeUndefined();
  });
});
