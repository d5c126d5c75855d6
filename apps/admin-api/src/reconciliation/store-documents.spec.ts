import type { MagentoCreditMemo, MagentoInvoice, MagentoOrder } from '@xero-sync/contracts';
import { defaultMappingSettings } from '@xero-sync/persistence';
import { creditMemoDocument, orderDocument, xeroDay, xeroDocument } from './store-documents';

const mapping = { ...defaultMappingSettings(), timeZone: 'Pacific/Auckland' };

const order = {
  entity_id: 7,
  increment_id: '000000007',
  state: 'processing',
  created_at: '2026-01-04 20:30:00',
  order_currency_code: 'USD',
  base_currency_code: 'NZD',
  base_grand_total: 160,
  grand_total: 95.1,
  tax_amount: 13.05,
  shipping_amount: 0,
  shipping_tax_amount: 0,
  items: [
    { item_id: 1, tax_amount: 10.02, tax_percent: 15, row_total: 66.8 },
    { item_id: 2, tax_amount: 3.03, tax_percent: 15, row_total: 20.2 },
  ],
  extension_attributes: { gift_cards_amount: 4.9, base_gift_cards_amount: 8.2 },
} as unknown as MagentoOrder;

const invoice = (id: number, method: string | undefined, total: number) =>
  ({
    entity_id: id,
    increment_id: `INV-${id}`,
    order_id: 7,
    grand_total: total,
    payment_method: method,
  }) as MagentoInvoice;

describe('store documents', () => {
  it('an order carries the whole sale, its local day, tax by rate in cents and its mapped payments', () => {
    const doc = orderDocument(order, mapping, [invoice(1, 'checkmo', 60), invoice(2, 'purchaseorder', 35.1)]);
    expect(doc).toMatchObject({
      type: 'invoice',
      number: 'MI-000000007',
      entityId: '7',
      currency: 'USD',
      total: 100,
      tax: 13.05,
      taxByRate: { '15': 13.05 },
      date: '2026-01-05',
      baseCurrency: 'NZD',
      baseTotal: 168.2,
      payments: [{ reference: 'INV-1', entityId: '1', amount: 60 }],
    });
  });

  it('leaves the base total out when a tender has no base amount', () => {
    const doc = orderDocument({ ...order, extension_attributes: { gift_cards_amount: 4.9 } }, mapping, []);
    expect(doc.baseTotal).toBeUndefined();
  });

  it('a credit memo settles only when its payment method is mapped', () => {
    const memo = {
      entity_id: 3,
      increment_id: '3',
      order_id: 7,
      created_at: '2026-01-05 01:00:00',
      grand_total: 11.5,
      tax_amount: 1.5,
      shipping_amount: 0,
      shipping_tax_amount: 0,
      items: [],
    } as unknown as MagentoCreditMemo;
    expect(creditMemoDocument({ ...memo, payment_method: 'checkmo' }, order, mapping)).toMatchObject({
      number: 'MCN-3',
      currency: 'USD',
      total: 11.5,
      date: '2026-01-05',
      settles: true,
    });
    expect(creditMemoDocument({ ...memo, payment_method: 'purchaseorder' }, order, mapping).settles).toBe(false);
  });

  it('takes each tax rate from the store (applied taxes, else the line’s tax_percent), never from a discounted line’s amounts', () => {
    const withShipping = {
      ...order,
      extension_attributes: {
        item_applied_taxes: [{ type: 'shipping', applied_taxes: [{ code: 'GST-NZ', title: 'GST', percent: 15 }] }],
      },
    } as unknown as MagentoOrder;
    // Tax after a 9.82 discount: 8.35 on a row total of 65.47 is 12.75 % of it, yet the line was taxed at 15 %.
    const memo = {
      entity_id: 4,
      increment_id: '4',
      order_id: 7,
      created_at: '2026-01-05 01:00:00',
      grand_total: 80.3,
      tax_amount: 9.85,
      shipping_amount: 12,
      shipping_tax_amount: 1.5,
      items: [{ order_item_id: 1, tax_amount: 8.35, row_total: 65.47, discount_amount: 9.82 }],
    } as unknown as MagentoCreditMemo;
    expect(creditMemoDocument(memo, withShipping, mapping).taxByRate).toEqual({ '15': 9.85 });
    expect(creditMemoDocument(memo, undefined, mapping).taxByRate).toEqual({ '12.8': 8.35, '12.5': 1.5 });
  });

  it('expects the gift-card and store-credit parts as payments of their own, or left open without an account', () => {
    const tendered = {
      ...invoice(4, 'checkmo', 20),
      extension_attributes: { gift_cards_amount: 4.9, customer_balance_amount: 2 },
    } as MagentoInvoice;
    const withTenders = { ...mapping, tenderAccounts: { giftCards: '855', storeCredit: null } };
    expect(orderDocument(order, withTenders, [tendered]).payments).toEqual([
      { reference: 'INV-4', entityId: '4', amount: 20 },
      { reference: 'INV-4 gift card', entityId: '4', amount: 4.9 },
    ]);
    const memo = {
      entity_id: 5,
      increment_id: '5',
      order_id: 7,
      created_at: '2026-01-05 01:00:00',
      grand_total: 10,
      tax_amount: 0,
      items: [],
      payment_method: 'checkmo',
      extension_attributes: { gift_cards_amount: 3, customer_balance_amount: 2 },
    } as unknown as MagentoCreditMemo;
    expect(creditMemoDocument(memo, order, withTenders)).toMatchObject({ total: 15, settles: true, leftOpen: 2 });
  });

  it('reads Xero days, payments and allocations from the raw JSON', () => {
    expect(xeroDay({ Date: '/Date(1767571200000+0000)/' }, 'Date')).toBe('2026-01-05');
    expect(xeroDay({ DateString: '2026-01-06T00:00:00', Date: '/Date(1767571200000+0000)/' }, 'Date')).toBe(
      '2026-01-06',
    );
    const cn = xeroDocument('creditnote', {
      CreditNoteID: 'c1',
      CreditNoteNumber: 'MCN-3',
      Status: 'PAID',
      CurrencyCode: 'USD',
      CurrencyRate: 0.6,
      Total: 11.5,
      TotalTax: 1.5,
      DateString: '2026-01-05T00:00:00',
      LineItems: [
        { TaxType: 'OUTPUT2', TaxAmount: 0.1 },
        { TaxType: 'OUTPUT2', TaxAmount: 0.2 },
      ],
      Allocations: [{ Amount: 0.1 }, { Amount: 0.2 }],
      Payments: [{ Reference: '3', Amount: 11.2 }],
    });
    expect(cn).toMatchObject({
      number: 'MCN-3',
      date: '2026-01-05',
      currencyRate: 0.6,
      taxByType: { OUTPUT2: 0.3 },
      allocated: 0.3,
      payments: [{ reference: '3', amount: 11.2 }],
    });
  });
});
