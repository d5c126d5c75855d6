import type { MagentoCreditMemo } from '@xero-sync/contracts';
import { generateStore } from '@xero-sync/testing';
import { link } from './stage-kit';

const store = generateStore({ seed: 13, customers: 3, orders: 30 });

/** A 30.00 cash credit memo naming no store invoice (settlement plan and stage specs). */
export const memo: MagentoCreditMemo = {
  ...store.creditMemos[0],
  grand_total: 30,
  invoice_id: null,
  payment_method: 'checkmo',
};
export const orderId = String(memo.order_id);
/** An on-account order: authorised, 100 due, nothing paid. */
export const onAccount = link('order', orderId, {
  xeroId: 'INV-1',
  xeroStatus: 'AUTHORISED',
  amountDue: 100,
  amountPaid: 0,
});
/** A paid order: the store took the money and Xero has the payment. */
export const paid = link('order', orderId, { xeroId: 'INV-1', xeroStatus: 'PAID', amountDue: 0, amountPaid: 100 });
