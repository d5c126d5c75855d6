import type { MagentoCreditMemo } from '@xero-sync/contracts';
import { settlementStage } from './credit-note-settlement';
import { memo, onAccount, orderId, paid } from './test/settlement-fixtures';
import { item, link, stageWorld } from './test/stage-kit';

describe('settlementStage', () => {
  const memoItem = item('creditmemo', String(memo.entity_id), memo);
  const note = { item: memoItem, memo, creditNoteId: 'CN-1', total: 30, written: true };

  it('allocates with one call on the credit note and credits the invoice', async () => {
    const w = stageWorld([memoItem]);
    w.ctx.orders.remember(orderId, { ...onAccount });
    w.ctx.notesToSettle.push(note);
    await settlementStage(w.ctx, w.writer);
    expect(w.xero.requests).toEqual([
      {
        method: 'PUT',
        path: '/CreditNotes/CN-1/Allocations?summarizeErrors=false',
        body: { Allocations: [expect.objectContaining({ Invoice: { InvoiceID: 'INV-1' }, Amount: 30 })] },
      },
    ]);
    expect(w.resultOf(memoItem)).toMatchObject({ status: 'synced', action: 'allocate' });
    expect(w.ctx.orders.get(orderId)).toMatchObject({ amountDue: 70, amountCredited: 30 });
    expect(w.pendingMarks).toEqual([expect.objectContaining({ businessKey: 'CN-1:INV-1' })]);
  });

  it('refunds a paid order with a payment on the credit note', async () => {
    const w = stageWorld([memoItem]);
    w.ctx.orders.remember(orderId, { ...paid });
    w.ctx.notesToSettle.push(note);
    await settlementStage(w.ctx, w.writer);
    expect(w.sent('/Payments')).toEqual([
      expect.objectContaining({ CreditNote: { CreditNoteID: 'CN-1' }, Amount: 30, Reference: memo.increment_id }),
    ]);
    expect(w.resultOf(memoItem)).toMatchObject({ status: 'synced', action: 'refund' });
  });

  it('refunds the cash and tender parts in one batch; the note is synced when all are in Xero', async () => {
    const tendered = {
      ...memo,
      extension_attributes: { gift_cards_amount: 12, customer_balance_amount: 8 },
    } as MagentoCreditMemo;
    const tenderItem = item('creditmemo', String(memo.entity_id), tendered);
    const w = stageWorld([tenderItem]);
    w.ctx.mapping.tenderAccounts = { giftCards: '855', storeCredit: '856' };
    w.ctx.orders.remember(orderId, { ...paid });
    w.ctx.notesToSettle.push({ ...note, item: tenderItem, memo: tendered, total: 50 });
    await settlementStage(w.ctx, w.writer);
    expect(w.sent('/Payments').map((p) => [(p.Account as { Code: string }).Code, p.Amount, p.Reference])).toEqual([
      ['090', 30, memo.increment_id],
      ['855', 12, `${memo.increment_id} gift card`],
      ['856', 8, `${memo.increment_id} store credit`],
    ]);
    expect(w.resultOf(tenderItem)).toMatchObject({ status: 'synced', action: 'refund', message: 'OK' });
  });

  it('answers unchanged when nothing is left to apply and the note was not written', async () => {
    const w = stageWorld([memoItem]);
    w.ctx.orders.remember(orderId, { ...paid });
    const done = link('creditmemo', String(memo.entity_id), { xeroId: 'CN-1', contentHash: 'h', refunded: 30 });
    w.ctx.notesToSettle.push({ ...note, written: false, link: done });
    await settlementStage(w.ctx, w.writer);
    expect(w.xero.requests).toEqual([]);
    expect(w.resultOf(memoItem)).toMatchObject({ status: 'unchanged', action: 'none' });
  });
});
