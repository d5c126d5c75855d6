import { LinkLedger, LinkStore } from './link-ledger';
import { OrderLinks } from './order-links';
import { link, STORE, strict, TENANT } from './test/stage-kit';

/** A link store holding order `10`'s link only, counting its reads. */
function countingStore() {
  const reads: string[][] = [];
  const held = [link('order', '10', { xeroId: 'inv-10' })];
  const store = strict<LinkStore>('links', {
    findMany: async (_storeId, _entity, ids) => {
      reads.push(ids);
      return held.filter((l) => ids.includes(l.entityId));
    },
    find: async (key) => {
      reads.push([key.entityId]);
      return held.find((l) => l.entityId === key.entityId) ?? null;
    },
  });
  return { orders: new OrderLinks(new LinkLedger(store, STORE, TENANT)), reads };
}

describe('OrderLinks', () => {
  it('looks each order up once per run, those without a link included', async () => {
    const { orders, reads } = countingStore();
    await orders.loadMany(['10', '11', '12']);
    expect(await orders.load('10')).toMatchObject({ xeroId: 'inv-10' });
    expect(await orders.load('11')).toBeUndefined();
    await orders.loadMany(['10', '11', '12']);
    expect(await orders.load('13')).toBeUndefined();
    expect(await orders.load('13')).toBeUndefined();
    expect(reads).toEqual([['10', '11', '12'], ['13']]);
  });

  it('answers an order this run wrote from what it remembered, though it had no link before', async () => {
    const { orders, reads } = countingStore();
    await orders.loadMany(['11']);
    orders.remember('11', link('order', '11', { xeroId: 'inv-11' }));
    expect(await orders.load('11')).toMatchObject({ xeroId: 'inv-11' });
    expect(reads).toEqual([['11']]);
  });
});
