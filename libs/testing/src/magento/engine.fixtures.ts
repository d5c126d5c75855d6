/** Orders the invoice and credit-memo specs derive their figures from by hand. */
import type { MagentoTaxSettings } from './magento.types';
import { buildOrder } from './order-totals';
import type { OrderPayload } from './payload.types';

const settings: MagentoTaxSettings = {
  calculationMethod: 'total',
  pricesIncludeTax: false,
  shippingIncludesTax: false,
  applyTaxAfterDiscount: true,
  discountIncludesTax: false,
  rates: [{ code: 'US-CA', title: 'CA', percent: 8.25, priority: 0 }],
  shippingTaxable: false,
};

/** 3 × 10.00 at 8.25% (30 × 0.0825 = 2.475 → 2.48) plus 5.00 untaxed shipping: grand total 37.48. */
export function threeTens(): OrderPayload {
  return buildOrder(
    {
      lines: [
        { product: { sku: 'A', name: 'A', productId: 1, type: 'simple', price: 10, taxClass: 'taxable' }, qty: 3 },
      ],
      shippingPrice: 5,
    },
    settings,
    {
      orderId: 1,
      incrementId: '1',
      firstItemId: 1,
      createdAt: '2026-02-02 08:00:00',
      currency: 'USD',
      paymentMethod: 'checkmo',
      customer: { id: 1, email: 'a@example.com', firstname: 'A', lastname: 'B' },
    },
  );
}
/** A document request refunding or invoicing `qty` of the order's one line. */
export const doc = (entityId: number, qty: number) => ({
  entityId,
  incrementId: String(entityId),
  createdAt: '2026-02-02 09:00:00',
  firstLineId: entityId * 10,
  qtys: new Map([[1, qty]]),
});
