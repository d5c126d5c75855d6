import type { MagentoInvoice } from '@xero-sync/contracts';
import { generateStore } from '@xero-sync/testing';
import { settlementStage } from './credit-note-settlement';
import { paymentStage } from './payment-stage';
import { memo as cashMemo } from './test/settlement-fixtures';
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

  const orderOf = (n: number, fields = {}) =>
    link('order', String(n), { xeroId: `INV-${n}`, xeroStatus: 'AUTHORISED', amountDue: 100, total: 100, ...fields });
  const invoiceOf = (id: number, orderNo: number) =>
    item('invoice', String(id), { ...inv, entity_id: id, increment_id: `S-${id}`, order_id: orderNo });
  const memoOf = (id: number, orderNo: number) =>
    item('creditmemo', String(id), { ...cashMemo, entity_id: id, increment_id: `C-${id}`, order_id: orderNo });

  it("sends a run's short last batch of payments in one call with the run's refunds", async () => {
    const a = invoiceOf(911, 511);
    const refunded = memoOf(932, 513);
    const w = stageWorld([a, refunded], [orderOf(511)]);
    await paymentStage(w.ctx, w.writer);
    expect(w.xero.requests).toEqual([]);
    w.ctx.orders.remember('513', orderOf(513, { xeroStatus: 'PAID', amountDue: 0, amountPaid: 100 }));
    w.ctx.notesToSettle.push({
      item: refunded,
      memo: refunded.payload,
      creditNoteId: 'CN-932',
      total: 30,
      written: true,
    });
    await settlementStage(w.ctx, w.writer);
    expect(w.xero.requests).toHaveLength(1);
    expect(w.sent('/Payments').map((p) => p.Reference)).toEqual(['S-911', 'C-932']);
    expect(w.resultOf(a)).toMatchObject({ status: 'synced', action: 'payment' });
    expect(w.resultOf(refunded)).toMatchObject({ status: 'synced', action: 'refund' });
  });

  it('pays at once the order of a credit memo in the same run (its credit note reads that payment)', async () => {
    const a = invoiceOf(913, 514);
    const w = stageWorld([a, memoOf(933, 514)], [orderOf(514)]);
    await paymentStage(w.ctx, w.writer);
    expect(w.sent('/Payments').map((p) => p.Reference)).toEqual(['S-913']);
    expect(w.resultOf(a)).toMatchObject({ status: 'synced', action: 'payment' });
  });

  it('keeps nothing back when the run has no credit memo', async () => {
    const a = item('invoice', '921', { ...inv, entity_id: 921, increment_id: 'S-921' });
    const w = stageWorld([a], [{ ...authorised }]);
    await paymentStage(w.ctx, w.writer);
    expect(w.sent('/Payments').map((p) => p.Reference)).toEqual(['S-921']);
  });
});
