import type { MagentoInvoice } from '@xero-sync/contracts';
import { generateStore } from '@xero-sync/testing';
import { paymentStage } from './payment-stage';
import { item, link, stageWorld } from './test/stage-kit';

const store = generateStore({ seed: 9, customers: 3, orders: 12 });
const inv: MagentoInvoice = { ...store.invoices[0], payment_method: 'checkmo', grand_total: 60 };
const orderId = String(inv.order_id);
const authorised = link('order', orderId, { xeroId: 'INV-1', xeroStatus: 'AUTHORISED', amountDue: 100, total: 100 });

describe('paymentStage', () => {
  it('reserves the amount due so two store invoices in one run cannot overpay', async () => {
    const a = item('invoice', '901', { ...inv, entity_id: 901, increment_id: 'S-901' });
    const b = item('invoice', '902', { ...inv, entity_id: 902, increment_id: 'S-902' });
    const w = stageWorld([a, b], [{ ...authorised }]);
    await paymentStage(w.ctx, w.writer);
    expect(w.sent('/Payments').map((p) => p.Reference)).toEqual(['S-901']);
    expect(w.resultOf(a)).toMatchObject({ status: 'synced', action: 'payment' });
    expect(w.resultOf(b)).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('exceeds the amount due'),
    });
    expect(w.pendingMarks.map((m) => m.businessKey)).toEqual(['S-901']);
    expect(w.ctx.orders.get(orderId)).toMatchObject({ amountPaid: 60, amountDue: 40 });
  });

  it('pays a store invoice with its tenders in one batch and is synced once all parts are in Xero', async () => {
    const a = item('invoice', '903', {
      ...inv,
      entity_id: 903,
      increment_id: 'S-903',
      grand_total: 50,
      extension_attributes: { gift_cards_amount: 30, customer_balance_amount: 20 },
    });
    const w = stageWorld([a], [{ ...authorised }]);
    w.ctx.mapping.tenderAccounts = { giftCards: '855', storeCredit: '856' };
    await paymentStage(w.ctx, w.writer);
    expect(w.sent('/Payments').map((p) => [p.Reference, p.Amount])).toEqual([
      ['S-903', 50],
      ['S-903 gift card', 30],
      ['S-903 store credit', 20],
    ]);
    expect(w.resultOf(a)).toMatchObject({ status: 'synced', action: 'payment', message: 'OK' });
    expect(w.ctx.orders.get(orderId)).toMatchObject({ amountPaid: 100, amountDue: 0, xeroStatus: 'PAID' });
  });
});
