import type { MagentoInvoice } from '@xero-sync/contracts';
import { generateStore } from '@xero-sync/testing';
import { authoriseCapturedInvoices } from './invoice-authorisation';
import { item, link, stageWorld } from './test/stage-kit';

const store = generateStore({ seed: 9, customers: 3, orders: 12 });
const inv: MagentoInvoice = { ...store.invoices[0], payment_method: 'checkmo', grand_total: 60 };
const orderId = String(inv.order_id);
const draft = link('order', orderId, { xeroId: 'INV-1', xeroStatus: 'DRAFT', businessKey: 'MI-1', total: 100 });

describe('authoriseCapturedInvoices', () => {
  it('authorises a draft order invoice with one status-only batch and remembers its new state', async () => {
    const a = item('invoice', '901', { ...inv, entity_id: 901 });
    const b = item('invoice', '902', { ...inv, entity_id: 902 });
    const w = stageWorld([a, b], [{ ...draft }]);
    await authoriseCapturedInvoices(w.ctx, w.writer, { items: [a, b], links: new Map() });
    expect(w.sent('/Invoices')).toEqual([{ InvoiceID: 'INV-1', InvoiceNumber: 'MI-1', Status: 'AUTHORISED' }]);
    expect(w.ctx.orders.get(orderId)).toMatchObject({ xeroId: 'INV-1', xeroStatus: 'AUTHORISED' });
  });

  it('leaves the order alone when the payment is in Xero, nothing is payable or the invoice is authorised', async () => {
    const a = item('invoice', '901', { ...inv, entity_id: 901 });
    const recorded = new Map([['901', link('invoice', '901', { xeroId: 'P-1' })]]);
    const unmapped = item('invoice', '902', { ...inv, entity_id: 902, payment_method: 'purchaseorder' });
    for (const [items, links, orders] of [
      [[a], recorded, [draft]],
      [[unmapped], new Map(), [draft]],
      [[a], new Map(), [{ ...draft, xeroStatus: 'AUTHORISED' }]],
    ] as const) {
      const w = stageWorld([...items], [...orders]);
      await authoriseCapturedInvoices(w.ctx, w.writer, { items: [...items], links: new Map(links) });
      expect(w.xero.requests).toEqual([]);
    }
  });

  it('authorises at most 50 drafts a call', async () => {
    const invoices = Array.from({ length: 53 }, (_, i) =>
      item('invoice', String(1000 + i), { ...inv, entity_id: 1000 + i, order_id: 5000 + i }),
    );
    const drafts = invoices.map((_, i) =>
      link('order', String(5000 + i), { xeroId: `INV-${i}`, xeroStatus: 'DRAFT', businessKey: `MI-${i}`, total: 100 }),
    );
    const w = stageWorld(invoices, drafts);
    await authoriseCapturedInvoices(w.ctx, w.writer, { items: invoices, links: new Map() });
    expect(w.xero.requests.map((r) => (r.body as { Invoices: unknown[] }).Invoices.length)).toEqual([50, 3]);
    expect(w.ctx.orders.get('5052')).toMatchObject({ xeroStatus: 'AUTHORISED' });
  });
});
