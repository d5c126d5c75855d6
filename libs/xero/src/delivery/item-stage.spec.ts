import { defaultMappingSettings } from '@xero-sync/persistence';
import { generateStore } from '@xero-sync/testing';
import { billableItems } from '../mapping/invoice.mapper';
import { itemCodeFor, mapProductItem } from '../mapping/item.mapper';
import { itemStage, planItem, wantedItems } from './item-stage';
import { item, link, stageWorld } from './test/stage-kit';
import { hashOf } from './xero-values';

const store = generateStore({ seed: 11, customers: 2, orders: 6, products: 6 });
const mapping = defaultMappingSettings();
const product = store.products[0];
const productItem = item('product', product.sku, product);

describe('item stage plans', () => {
  it('creates with the derived code, updates under the code kept in the link, leaves equal content alone', () => {
    const [wanted] = wantedItems([productItem], [], mapping);
    const body = { ...mapProductItem(product, mapping), Code: itemCodeFor(product.sku) };
    expect(planItem(wanted, undefined)).toMatchObject({ kind: 'write', action: 'create', body, known: false });
    const kept = link('product', product.sku, { xeroId: 'I-1', businessKey: 'KEPT-CODE', contentHash: 'old' });
    expect(planItem(wanted, kept)).toMatchObject({ kind: 'write', action: 'update', code: 'KEPT-CODE', known: true });
    const same = link('product', product.sku, { xeroId: 'I-1', businessKey: body.Code, contentHash: hashOf(body) });
    expect(planItem(wanted, same)).toMatchObject({ kind: 'unchanged', xeroId: 'I-1' });
  });

  it('derives items from order lines but never overwrites a known item with them', () => {
    const order = store.orders[0];
    const wanted = wantedItems([], [item('order', String(order.entity_id), order)], mapping);
    expect(wanted.map((w) => w.sku).sort()).toEqual([...new Set(billableItems(order).map((l) => l.sku))].sort());
    expect(planItem(wanted[0], link('product', wanted[0].sku, { xeroId: 'I-2' }))).toMatchObject({
      kind: 'skip',
      known: true,
    });
  });
});

describe('itemStage', () => {
  it('posts new items by Code and records their codes for invoices', async () => {
    const w = stageWorld([productItem]);
    await itemStage(w.ctx, w.writer);
    expect(w.sent('/Items')).toEqual([expect.objectContaining({ Code: itemCodeFor(product.sku) })]);
    expect(w.resultOf(productItem)).toMatchObject({ status: 'synced', action: 'create', calls: 1 });
    expect(w.ctx.itemCodes.get(product.sku)).toBe(itemCodeFor(product.sku));
  });

  it('splits more than 50 items into batches of at most 50', async () => {
    const many = generateStore({ seed: 3, products: 120, orders: 1, customers: 1 }).products.slice(0, 120);
    const w = stageWorld(many.map((p) => item('product', p.sku, p)));
    await itemStage(w.ctx, w.writer);
    const sizes = w.xero.requests.map((r) => (r.body as { Items: unknown[] }).Items.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(new Set(many.map((p) => p.sku)).size);
  });
});
