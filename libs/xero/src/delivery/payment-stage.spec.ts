import type { MagentoInvoice } from '@xero-sync/contracts';
import { defaultMappingSettings } from '@xero-sync/persistence';
import { generateStore } from '@xero-sync/testing';
import { overpays, paymentStage, planPayment } from './payment-stage';
import { item, link, stageWorld, strict } from './test/stage-kit';

const store = generateStore({ seed: 9, customers: 3, orders: 12 });
const mapping = defaultMappingSettings();
const inv: MagentoInvoice = { ...store.invoices[0], payment_method: 'checkmo', grand_total: 60 };
const orderId = String(inv.order_id);
const authorised = link('order', orderId, { xeroId: 'INV-1', xeroStatus: 'AUTHORISED', amountDue: 100, total: 100 });
const loads =
  (l = authorised) =>
  async (id: string) =>
    id === orderId ? l : undefined;
/** The order link must not be read. */
const noLoad = (id: string) => strict<{ load(id: string): never }>('order links', {}).load(id);

describe('planPayment', () => {
  it('pays the order invoice from the mapped account', async () => {
    expect(await planPayment(inv, undefined, mapping, loads())).toEqual({
      kind: 'write',
      orderLink: authorised,
      lookFirst: false,
      body: expect.objectContaining({ Invoice: { InvoiceID: 'INV-1' }, Account: { Code: '090' }, Amount: 60 }),
    });
  });

  it('decides without reading the order when the payment is recorded or its method is not mapped', async () => {
    const recorded = link('invoice', String(inv.entity_id), { xeroId: 'P-1' });
    expect(await planPayment(inv, recorded, mapping, noLoad)).toMatchObject({ kind: 'finish', status: 'unchanged' });
    const po = { ...inv, payment_method: 'purchaseorder' };
    expect(await planPayment(po, undefined, mapping, noLoad)).toMatchObject({
      kind: 'finish',
      status: 'synced',
      action: 'none',
    });
  });

  it('waits while the order invoice is missing or not authorised; a zero total pays nothing', async () => {
    expect(await planPayment(inv, undefined, mapping, async () => undefined)).toMatchObject({ kind: 'wait' });
    const draft = { ...authorised, xeroStatus: 'DRAFT' };
    expect(await planPayment(inv, undefined, mapping, loads(draft))).toMatchObject({
      kind: 'wait',
      message: expect.stringContaining('DRAFT'),
    });
    expect(await planPayment({ ...inv, grand_total: 0 }, undefined, mapping, loads())).toMatchObject({
      kind: 'finish',
      message: 'the store invoice total is 0: no payment to record',
    });
  });

  it('looks for a lost payment first when a pending marker is left, and refuses to overpay', async () => {
    const pending = link('invoice', String(inv.entity_id), { pendingHash: 'h' });
    expect(await planPayment(inv, pending, mapping, loads())).toMatchObject({ kind: 'write', lookFirst: true });
    expect(overpays({ Amount: 60 } as never, authorised)).toBeUndefined();
    expect(overpays({ Amount: 160 } as never, authorised)).toMatchObject({ kind: 'fail' });
  });
});

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
});
