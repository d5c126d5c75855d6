import type { Cart, CartProduct, MagentoTaxSettings } from './magento.types';
import { buildOrder, OrderIdentity } from './order-totals';

const identity: OrderIdentity = {
  orderId: 1,
  incrementId: '000000001',
  firstItemId: 1,
  createdAt: '2026-02-02 08:00:00',
  currency: 'NZD',
  paymentMethod: 'checkmo',
  customer: { id: null, email: 'guest@example.net', firstname: 'Guest', lastname: 'Buyer' },
};
const GST = [{ code: 'NZ-GST', title: 'GST', percent: 15, priority: 0 }];
const CA = [{ code: 'US-CA', title: 'CA', percent: 8.25, priority: 0 }];
const excl: MagentoTaxSettings = {
  calculationMethod: 'total',
  pricesIncludeTax: false,
  shippingIncludesTax: false,
  applyTaxAfterDiscount: true,
  discountIncludesTax: false,
  rates: CA,
  shippingTaxable: false,
};
const simple = (sku: string, price: number, over: Partial<CartProduct> = {}): CartProduct => ({
  sku,
  name: sku,
  productId: 1,
  type: 'simple',
  price,
  taxClass: 'taxable',
  ...over,
});

describe('buildOrder', () => {
  it('inclusive prices and shipping, 10% off both incl. tax: hidden tax on the line and on shipping', () => {
    // Line 11.50 incl.: tax 1.50, row 10.00; discount 1.15 → tax on 10.35 = 1.35, hidden 0.15.
    // Shipping 5.75 incl.: tax 0.75, 5.00 excl.; discount 10% × 5.75 = 0.575 → 0.58; tax on 5.17 = 0.6743 → 0.67,
    // hidden 0.08. Grand: 10.00 + 5.00 − 1.73 + 2.02 + 0.15 + 0.08 = 15.52 (= 11.50 − 1.15 + 5.75 − 0.58).
    const settings: MagentoTaxSettings = {
      ...excl,
      pricesIncludeTax: true,
      shippingIncludesTax: true,
      discountIncludesTax: true,
      shippingTaxable: true,
      rates: GST,
    };
    const cart: Cart = {
      lines: [{ product: simple('A', 11.5), qty: 1 }],
      shippingPrice: 5.75,
      rule: { type: 'by_percent', amount: 10, applyToShipping: true },
    };
    const o = buildOrder(cart, settings, identity);
    expect(o.items[0]).toMatchObject({ price: 10, price_incl_tax: 11.5, tax_amount: 1.35, discount_amount: 1.15 });
    expect(o.items[0].discount_tax_compensation_amount).toBe(0.15);
    expect(o).toMatchObject({
      subtotal: 10,
      shipping_amount: 5,
      shipping_incl_tax: 5.75,
      shipping_tax_amount: 0.67,
      shipping_discount_amount: 0.58,
      shipping_discount_tax_compensation_amount: 0.08,
      discount_amount: -1.73,
      tax_amount: 2.02,
      discount_tax_compensation_amount: 0.15,
      grand_total: 15.52,
    });
    expect(o.extension_attributes.applied_taxes).toEqual([
      { code: 'NZ-GST', title: 'GST', percent: 15, amount: 2.02, base_amount: 2.02 },
    ]);
    expect(
      o.extension_attributes.item_applied_taxes.map((t) => [t.type, t.item_id, t.applied_taxes[0].amount]),
    ).toEqual([
      ['product', 1, 1.35],
      ['shipping', null, 0.67],
    ]);
  });

  it('a dynamic bundle: the selections carry the money and the parent shows their sum', () => {
    // 2 kits of (2 × 5.00 taxable + 1 × 3.00 zero-rated): rows 20.00 (tax 1.65) and 6.00 (tax 0).
    const kit = simple('KIT', 0, {
      type: 'bundle_dynamic',
      children: [
        { sku: 'BRUSH', name: 'Brush', productId: 2, price: 5, qtyPerParent: 2, taxClass: 'taxable' },
        { sku: 'GUIDE', name: 'Guide', productId: 3, price: 3, qtyPerParent: 1, taxClass: 'zero' },
      ],
    });
    const o = buildOrder({ lines: [{ product: kit, qty: 2 }], shippingPrice: 0 }, excl, identity);
    const [parent, brush, guide] = o.items;
    expect(brush).toMatchObject({ parent_item_id: 1, qty_ordered: 4, row_total: 20, tax_amount: 1.65 });
    expect(guide).toMatchObject({ parent_item_id: 1, qty_ordered: 2, row_total: 6, tax_amount: 0, tax_percent: 0 });
    expect(parent).toMatchObject({
      product_type: 'bundle',
      row_total: 26,
      tax_amount: 1.65,
      row_total_incl_tax: 27.65,
    });
    expect(o).toMatchObject({ subtotal: 26, tax_amount: 1.65, grand_total: 27.65, is_virtual: 0 });
  });

  it('a fixed-price bundle and a configurable: the parent carries the money, children are zero-priced', () => {
    const box = simple('BOX', 40, {
      type: 'bundle_fixed',
      children: [{ sku: 'CANDLE', name: 'Candle', productId: 2, price: 9, qtyPerParent: 1, taxClass: 'taxable' }],
    });
    const tee = simple('TEE', 20, {
      type: 'configurable',
      children: [{ sku: 'TEE-M', name: 'Tee M', productId: 4, price: 0, qtyPerParent: 1, taxClass: 'taxable' }],
    });
    const cart: Cart = {
      lines: [
        { product: box, qty: 1 },
        { product: tee, qty: 1 },
      ],
      shippingPrice: 5,
    };
    const o = buildOrder(cart, excl, identity);
    expect(o.items.map((i) => [i.sku, i.parent_item_id, i.row_total, i.tax_amount])).toEqual([
      ['BOX', null, 40, 3.3],
      ['CANDLE', 1, 0, 0],
      ['TEE', null, 20, 1.65],
      ['TEE-M', 3, 0, 0],
    ]);
    // 40 × 8.25% = 3.30; 20 × 8.25% = 1.65; shipping untaxed: 60 + 5 + 4.95.
    expect(o.grand_total).toBe(69.95);
  });

  it('virtual and downloadable carts never ship; gift cards then store credit reduce what is paid', () => {
    const cart: Cart = {
      lines: [
        { product: simple('EBOOK', 12, { type: 'downloadable' }), qty: 1 },
        { product: simple('WARRANTY', 8, { type: 'virtual' }), qty: 1 },
      ],
      shippingPrice: 5,
      giftCards: 10,
      customerBalance: 4,
    };
    const o = buildOrder(cart, excl, identity);
    // 20.00 + 1.65 tax (no shipping) = 21.65; − 10 gift card − 4 store credit = 7.65.
    expect(o).toMatchObject({ is_virtual: 1, shipping_amount: 0, tax_amount: 1.65, grand_total: 7.65 });
    expect(o.extension_attributes).toMatchObject({ gift_cards_amount: 10, customer_balance_amount: 4 });
  });
});
