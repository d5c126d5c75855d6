import type { MagentoInvoice } from '@xero-sync/contracts';
import { defaultMappingSettings } from '@xero-sync/persistence';
import { generateStore } from '@xero-sync/testing';
import { overpays, paysAnything, planPayment } from './payment-plan';
import { link, strict } from './test/stage-kit';

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
      parts: [
        {
          entity: 'invoice',
          entityId: String(inv.entity_id),
          lookFirst: false,
          body: expect.objectContaining({ Invoice: { InvoiceID: 'INV-1' }, Account: { Code: '090' }, Amount: 60 }),
        },
      ],
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
    expect(await planPayment(inv, pending, mapping, loads())).toMatchObject({
      kind: 'write',
      parts: [{ lookFirst: true }],
    });
    expect(overpays([{ Amount: 60 } as never], authorised)).toBeUndefined();
    expect(overpays([{ Amount: 60 }, { Amount: 41 }] as never, authorised)).toMatchObject({ kind: 'fail' });
  });

  const tendered: MagentoInvoice = {
    ...inv,
    grand_total: 30,
    extension_attributes: { gift_cards_amount: 20, customer_balance_amount: 10 },
  };
  const withTenders = { ...mapping, tenderAccounts: { giftCards: '855', storeCredit: '856' } };

  it('pays the gift-card and store-credit parts from their accounts, each with its own Reference', async () => {
    const d = await planPayment(tendered, undefined, withTenders, loads());
    expect(d).toMatchObject({ kind: 'write' });
    const parts = (d as Extract<typeof d, { kind: 'write' }>).parts;
    expect(parts.map((p) => [p.entity, p.body.Account.Code, p.body.Amount, p.body.Reference])).toEqual([
      ['invoice', '090', 30, tendered.increment_id],
      ['invoice-tender', '855', 20, `${tendered.increment_id} gift card`],
      ['invoice-tender', '856', 10, `${tendered.increment_id} store credit`],
    ]);
  });

  it('pays only the parts not yet in Xero, and leaves a tender without an account due', async () => {
    const cashDone = link('invoice', String(inv.entity_id), { xeroId: 'P-1' });
    const giftDone = link('invoice-tender', `${inv.entity_id}:giftCards`, { xeroId: 'P-2' });
    const d = await planPayment(tendered, cashDone, withTenders, loads(), new Map([[giftDone.entityId, giftDone]]));
    expect(d).toMatchObject({ kind: 'write', parts: [{ entityId: `${inv.entity_id}:storeCredit` }] });
    const all = new Map([
      [giftDone.entityId, giftDone],
      [`${inv.entity_id}:storeCredit`, link('invoice-tender', `${inv.entity_id}:storeCredit`, { xeroId: 'P-3' })],
    ]);
    expect(await planPayment(tendered, cashDone, withTenders, noLoad, all)).toMatchObject({ status: 'unchanged' });
    expect(await planPayment(tendered, cashDone, mapping, noLoad)).toMatchObject({
      kind: 'finish',
      status: 'unchanged',
    });
    expect(await planPayment({ ...tendered, grand_total: 0 }, undefined, mapping, noLoad)).toMatchObject({
      kind: 'finish',
      status: 'synced',
      message: expect.stringContaining('gift card: 20 stays due'),
    });
  });
});

describe('paysAnything', () => {
  it('is true when the payment method or a tender part has an account to pay from', () => {
    const po = { ...inv, payment_method: 'purchaseorder' };
    expect(paysAnything(inv, mapping)).toBe(true);
    expect(paysAnything(po, mapping)).toBe(false);
    const giftCard = { ...po, extension_attributes: { gift_cards_amount: 5 } };
    expect(paysAnything(giftCard, mapping)).toBe(false);
    expect(paysAnything(giftCard, { ...mapping, tenderAccounts: { giftCards: '855', storeCredit: null } })).toBe(true);
  });
});
