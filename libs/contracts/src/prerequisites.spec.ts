import { MagentoCreditMemo, MagentoInvoice } from './index';
import { ENTITY_RANK, prerequisitesOf } from './prerequisites';

const memo = (over: Partial<MagentoCreditMemo>) =>
  ({ entity_id: 7, order_id: 3, order_increment_id: '000000003', grand_total: 10, ...over }) as MagentoCreditMemo;

describe('what must go first', () => {
  it('ranks contacts and items, then orders, store invoices and credit memos', () => {
    expect(ENTITY_RANK).toEqual({ customer: 0, product: 0, order: 1, invoice: 2, creditmemo: 3 });
  });

  it('a credit memo follows the store invoice it names, waiting for it to arrive', () => {
    expect(prerequisitesOf('creditmemo', memo({ invoice_id: 9 }))).toEqual([
      { entity: 'invoice', entityId: '9', label: 'store invoice 9 (its payment)', awaitArrival: true },
    ]);
  });

  it("a credit memo naming no store invoice follows its order's latest change, if the syncer holds one", () => {
    expect(prerequisitesOf('creditmemo', memo({ invoice_id: null }))).toEqual([
      { entity: 'order', entityId: '3', label: "order 000000003's latest change", awaitArrival: false },
    ]);
  });

  it('other records have no store-side prerequisite (Xero delivery checks theirs in Xero)', () => {
    expect(prerequisitesOf('invoice', { entity_id: 1, order_id: 3 } as MagentoInvoice)).toEqual([]);
  });
});
