import type { MagentoCreditMemo } from '@xero-sync/contracts';
import { defaultMappingSettings } from '@xero-sync/persistence';
import { planSettlement } from './credit-note-settlement-plan';
import { memo, onAccount, orderId, paid } from './test/settlement-fixtures';
import { link } from './test/stage-kit';

const mapping = defaultMappingSettings();

describe('planSettlement', () => {
  it('allocates an on-account credit to the invoice (nothing refunded)', () => {
    expect(planSettlement({ memo, total: 30 }, onAccount, undefined, mapping)).toEqual({
      remaining: 30,
      allocate: 30,
      refund: 0,
      account: '090',
      tenders: [],
      open: 0,
    });
  });

  it('allocates only what is due and refunds the rest', () => {
    const due = { ...onAccount, amountDue: 20 };
    expect(planSettlement({ memo, total: 30 }, due, undefined, mapping)).toMatchObject({ allocate: 20, refund: 10 });
  });

  it('refunds paid money in cash: the order is paid, or the store invoice it names has its payment in Xero', () => {
    expect(planSettlement({ memo, total: 30 }, paid, undefined, mapping)).toMatchObject({ allocate: 0, refund: 30 });
    // Still due on the invoice, but the memo refunds a store invoice whose payment is in Xero: never allocated.
    const named = { ...memo, invoice_id: 5 };
    const payment = link('invoice', '5', { xeroId: 'P-5' });
    expect(planSettlement({ memo: named, total: 30 }, onAccount, payment, mapping)).toMatchObject({
      allocate: 0,
      refund: 30,
    });
  });

  it('counts what was applied before and leaves an unmapped method’s credit open', () => {
    const before = link('creditmemo', String(memo.entity_id), { allocated: 10, refunded: 5 });
    expect(planSettlement({ memo, total: 30, link: before }, paid, undefined, mapping)).toMatchObject({
      remaining: 15,
      refund: 15,
    });
    const po = { ...memo, payment_method: 'purchaseorder' };
    expect(planSettlement({ memo: po, total: 30 }, paid, undefined, mapping)).toMatchObject({ account: null });
  });

  const tendered = {
    ...memo,
    extension_attributes: { gift_cards_amount: 12, customer_balance_amount: 8 },
  } as MagentoCreditMemo;
  const withTenders = { ...mapping, tenderAccounts: { giftCards: '855', storeCredit: '856' } };

  it('refunds gift-card and store-credit parts to their accounts and only the rest in cash', () => {
    const plan = planSettlement({ memo: tendered, total: 50 }, paid, undefined, withTenders);
    expect(plan).toMatchObject({ allocate: 0, refund: 30, account: '090', open: 0 });
    expect(plan.tenders.map((t) => [t.part.account, t.amount, t.part.reference])).toEqual([
      ['855', 12, `${memo.increment_id} gift card`],
      ['856', 8, `${memo.increment_id} store credit`],
    ]);
    // A tender part already in Xero is not refunded again; one without an account stays open, never cash.
    const before = link('creditmemo', String(memo.entity_id), { refunded: 12 });
    const again = planSettlement(
      { memo: tendered, total: 50, link: before },
      paid,
      undefined,
      withTenders,
      (k) => k === 'giftCards',
    );
    expect(again).toMatchObject({ remaining: 38, refund: 30, tenders: [{ amount: 8 }] });
    expect(planSettlement({ memo: tendered, total: 50 }, paid, undefined, mapping)).toMatchObject({
      refund: 30,
      tenders: [],
      open: 20,
    });
  });
});

describe('planSettlement with the figures of the 2,200-order run (us-excl-total CM000000652)', () => {
  // Order 000001299 paid 7.95 by checkmo, its store invoice's payment in Xero; the memo named that invoice and
  // refunded a 1.00 line less its 1.00 discount with a 3.33 Adjustment Fee: grand total 0, gift cards −3.33.
  const cm652 = {
    ...memo,
    invoice_id: 1388,
    grand_total: 0,
    adjustment_negative: 3.33,
    extension_attributes: { gift_cards_amount: -3.33, customer_balance_amount: 0 },
  } as MagentoCreditMemo;
  const paid795 = link('order', orderId, { xeroId: 'INV-1', xeroStatus: 'PAID', amountDue: 0, amountPaid: 7.95 });
  const invoicePaid = link('invoice', '1388', { xeroId: 'P-1388' });
  const withTenders = { ...mapping, tenderAccounts: { giftCards: '855', storeCredit: '856' } };

  it('applies nothing to a note below zero: no allocation, no negative cash or tender refund', () => {
    expect(planSettlement({ memo: cm652, total: -3.33 }, paid795, invoicePaid, withTenders)).toEqual({
      remaining: -3.33,
      allocate: 0,
      refund: 0,
      account: '090',
      tenders: [],
      open: 0,
    });
  });

  it('refunds the gift-card part and the cash rest to exactly the note, never beyond it', () => {
    // The memo's shape with 3.33 of gift cards instead of the fee: a 3.33 note, all of it back to the gift card;
    // once that refund is in Xero, nothing more.
    const tendered = { ...cm652, adjustment_negative: 0, extension_attributes: { gift_cards_amount: 3.33 } };
    const plan = planSettlement({ memo: tendered, total: 3.33 }, paid795, invoicePaid, withTenders);
    expect(plan).toMatchObject({ remaining: 3.33, allocate: 0, refund: 0, open: 0 });
    expect(plan.tenders.map((t) => t.amount)).toEqual([3.33]);
    const before = link('creditmemo', String(memo.entity_id), { refunded: 3.33 });
    expect(
      planSettlement({ memo: tendered, total: 3.33, link: before }, paid795, invoicePaid, withTenders, () => true),
    ).toMatchObject({ remaining: 0, allocate: 0, refund: 0, tenders: [], open: 0 });
  });
});
