import { lineDiscounts, shippingDiscount } from './discount';
import type { Cart, CartLine, ItemTaxDetails, MagentoTaxSettings, TaxClass } from './magento.types';
import { stored, sumMoney } from './money';
import { appliedTaxesPayload, itemAppliedTaxes } from './applied-taxes';
import type { OrderItemPayload, OrderPayload } from './payload.types';
import { TaxCalculator } from './tax-calculator';
import { withBase } from './base-amounts';

/** Who placed the order and how it is identified. */
export interface OrderIdentity {
  orderId: number;
  incrementId: string;
  /** item_id of the order's first line; the others follow in cart order (parents before their children). */
  firstItemId: number;
  createdAt: string;
  currency: string;
  paymentMethod: string;
  customer: { id: number | null; email: string; firstname: string; lastname: string };
}

/** An order line before tax: what the tax calculation is fed, and how the line relates to its parent. */
interface Line {
  itemId: number;
  code: string;
  parentCode: string | null;
  productId: number;
  productType: OrderItemPayload['product_type'];
  sku: string;
  name: string;
  qty: number;
  unitPrice: number;
  taxClass: TaxClass;
  isVirtual: boolean;
  /** Tax and discount are worked out on this line (not a dummy, not a dynamic bundle's parent). */
  calculated: boolean;
  /** A dynamic bundle's parent: its figures are its children's, summed. */
  aggregate: boolean;
}

/**
 * Turns cart lines into order lines the way Magento 2.4's quote puts money on them: a configurable's parent and a
 * fixed-price bundle's parent carry the price (children are zero-priced dummies); a dynamic-price bundle's children
 * carry it and the parent shows their sum (CommonTaxCollector::mapItems with isChildrenCalculated).
 */
function expand(lines: readonly CartLine[], firstItemId: number): Line[] {
  const out: Line[] = [];
  let itemId = firstItemId;
  for (const { product, qty } of lines) {
    const dynamic = product.type === 'bundle_dynamic';
    const virtual = product.type === 'virtual' || product.type === 'downloadable';
    const parent: Line = {
      itemId: itemId++,
      code: `sequence-${out.length + 1}`,
      parentCode: null,
      productId: product.productId,
      productType: product.type.startsWith('bundle') ? 'bundle' : (product.type as OrderItemPayload['product_type']),
      sku: product.sku,
      name: product.name,
      qty,
      unitPrice: dynamic ? 0 : product.price,
      taxClass: product.taxClass,
      isVirtual: virtual,
      calculated: !dynamic,
      aggregate: dynamic,
    };
    out.push(parent);
    for (const child of product.children ?? []) {
      out.push({
        itemId: itemId++,
        code: `sequence-${out.length + 1}`,
        parentCode: parent.code,
        productId: child.productId,
        productType: 'simple',
        sku: child.sku,
        name: child.name,
        qty: child.qtyPerParent * qty,
        unitPrice: dynamic ? child.price : 0,
        taxClass: child.taxClass,
        isVirtual: false,
        calculated: dynamic,
        aggregate: false,
      });
    }
  }
  return out;
}

const SHIPPING_CODE = 'shipping';

/**
 * Builds an order exactly as Magento 2.4 totals a quote and converts it: tax_subtotal (prices incl./excl. tax with
 * no discount, what a rule discounts from), tax_shipping, the cart rule's discounts (SalesRule Validator and its
 * calculators), then the tax collector over every line and shipping with one calculator (Tax Sales\Total\Quote\Tax
 * with CommonTaxCollector), then the grand total (Quote Address\Total\Grand: subtotal + shipping − discount + tax +
 * hidden tax), less gift cards and store credit (Adobe Commerce's GiftCardAccount and CustomerBalance totals).
 */
export function buildOrder(cart: Cart, settings: MagentoTaxSettings, identity: OrderIdentity): OrderPayload {
  const lines = expand(cart.lines, identity.firstItemId);
  const calculated = lines.filter((l) => l.calculated);
  const isVirtual = lines.every((l) => l.isVirtual || l.parentCode !== null);
  const shippingPrice = isVirtual ? 0 : cart.shippingPrice;
  const shippingClass: TaxClass = settings.shippingTaxable ? 'taxable' : 'exempt';
  const taxable = (l: Line, discountAmount: number) => ({
    code: l.code,
    unitPrice: l.unitPrice,
    quantity: l.qty,
    discountAmount,
    taxClass: l.taxClass,
    taxIncluded: settings.pricesIncludeTax,
  });
  const shippingItem = (discountAmount: number) => ({
    code: SHIPPING_CODE,
    unitPrice: shippingPrice,
    quantity: 1,
    discountAmount,
    taxClass: shippingClass,
    taxIncluded: settings.shippingIncludesTax,
  });

  // tax_subtotal and tax_shipping: prices before any discount, each in a calculation of its own.
  const firstPass = new TaxCalculator(settings);
  const undiscounted = new Map(calculated.map((l) => [l.code, firstPass.calculate(taxable(l, 0))]));
  const shippingUndiscounted = shippingPrice > 0 ? new TaxCalculator(settings).calculate(shippingItem(0)) : null;

  const discountPrice = (d: ItemTaxDetails) => (settings.discountIncludesTax ? d.priceInclTax : d.price);
  const discounts = new Map(
    lineDiscounts(
      cart.rule,
      calculated.map((l) => ({ code: l.code, qty: l.qty, price: discountPrice(undiscounted.get(l.code)!) })),
    ).map((d) => [d.code, d]),
  );
  const shipDiscount = shippingUndiscounted
    ? shippingDiscount(
        cart.rule,
        settings.discountIncludesTax ? shippingUndiscounted.rowTotalInclTax : shippingUndiscounted.rowTotal,
      )
    : 0;

  // The tax collector: every calculated line, then shipping, through one calculator (one set of deltas).
  const calculator = new TaxCalculator(settings);
  const details = new Map<string, ItemTaxDetails>();
  for (const l of calculated) details.set(l.code, calculator.calculate(taxable(l, discounts.get(l.code)!.amount)));
  const ship = shippingPrice > 0 ? calculator.calculate(shippingItem(shipDiscount)) : null;

  const items = lines.map((l) => orderItem(l, lines, details, discounts, identity.orderId));
  const counted = items.filter((_, i) => lines[i].calculated);
  const subtotal = sumMoney(counted.map((i) => i.row_total));
  const itemsTax = sumMoney(counted.map((i) => i.tax_amount));
  const itemsDiscount = sumMoney(counted.map((i) => i.discount_amount));
  const compensation = sumMoney(counted.map((i) => i.discount_tax_compensation_amount));
  const shipping = stored(ship?.rowTotal ?? 0);
  const shippingTax = stored(ship?.rowTax ?? 0);
  const shippingCompensation = stored(ship?.discountTaxCompensationAmount ?? 0);
  const tax = sumMoney([itemsTax, shippingTax]);
  const discount = sumMoney([itemsDiscount, shipDiscount]);
  const beforeTenders = sumMoney([subtotal, shipping, -discount, tax, compensation, shippingCompensation]);
  const giftCards = Math.min(cart.giftCards ?? 0, beforeTenders);
  const balance = Math.min(cart.customerBalance ?? 0, sumMoney([beforeTenders, -giftCards]));
  const grandTotal = sumMoney([beforeTenders, -giftCards, -balance]);

  const shippingTaxes = ship ? [{ code: SHIPPING_CODE, details: ship, itemId: null }] : [];
  const productTaxes = calculated.map((l) => ({ code: l.code, details: details.get(l.code)!, itemId: l.itemId }));
  return withBase({
    entity_id: identity.orderId,
    increment_id: identity.incrementId,
    state: 'new' as const,
    status: 'pending',
    created_at: identity.createdAt,
    updated_at: identity.createdAt,
    customer_id: identity.customer.id,
    customer_is_guest: identity.customer.id ? (0 as const) : (1 as const),
    customer_email: identity.customer.email,
    customer_firstname: identity.customer.firstname,
    customer_lastname: identity.customer.lastname,
    order_currency_code: identity.currency,
    base_currency_code: identity.currency,
    base_to_order_rate: 1,
    is_virtual: isVirtual ? (1 as const) : (0 as const),
    subtotal,
    subtotal_incl_tax: sumMoney(counted.map((i) => i.row_total_incl_tax)),
    tax_amount: tax,
    shipping_amount: shipping,
    shipping_tax_amount: shippingTax,
    shipping_incl_tax: stored(ship?.rowTotalInclTax ?? 0),
    shipping_discount_amount: shipDiscount,
    shipping_discount_tax_compensation_amount: shippingCompensation,
    shipping_description: isVirtual ? null : 'Flat Rate - Fixed',
    discount_amount: discount ? -discount : 0,
    discount_description: discount ? (cart.rule?.label ?? cart.rule?.type ?? null) : null,
    discount_tax_compensation_amount: compensation,
    grand_total: grandTotal,
    ...zeroProgress(),
    items,
    payment: { method: identity.paymentMethod },
    extension_attributes: {
      customer_balance_amount: balance,
      base_customer_balance_amount: balance,
      gift_cards_amount: giftCards,
      base_gift_cards_amount: giftCards,
      customer_balance_invoiced: 0,
      customer_balance_refunded: 0,
      gift_cards_invoiced: 0,
      gift_cards_refunded: 0,
      applied_taxes: appliedTaxesPayload([...productTaxes, ...shippingTaxes].map((t) => t.details)),
      item_applied_taxes: itemAppliedTaxes(productTaxes, shippingTaxes),
    },
  });
}

function orderItem(
  l: Line,
  lines: readonly Line[],
  details: ReadonlyMap<string, ItemTaxDetails>,
  discounts: ReadonlyMap<string, { amount: number; percent: number }>,
  orderId: number,
): OrderItemPayload {
  let figures: {
    price: number;
    priceInclTax: number;
    rowTotal: number;
    rowTotalInclTax: number;
    rowTax: number;
    compensation: number;
    taxPercent: number | null;
    discount: number;
    discountPercent: number;
  };
  if (l.calculated) {
    const d = details.get(l.code)!;
    const disc = discounts.get(l.code)!;
    figures = {
      price: d.price,
      priceInclTax: d.priceInclTax,
      rowTotal: d.rowTotal,
      rowTotalInclTax: d.rowTotalInclTax,
      rowTax: d.rowTax,
      compensation: d.discountTaxCompensationAmount,
      taxPercent: d.taxPercent,
      discount: disc.amount,
      discountPercent: disc.percent,
    };
  } else if (l.aggregate) {
    // TaxCalculation's parent: its children's rows summed, unit prices derived from them.
    const children = lines.filter((c) => c.parentCode === l.code).map((c) => details.get(c.code)!);
    const childDiscounts = lines.filter((c) => c.parentCode === l.code).map((c) => discounts.get(c.code)!.amount);
    const rowTotal = sumMoney(children.map((c) => c.rowTotal));
    const rowTotalInclTax = sumMoney(children.map((c) => c.rowTotalInclTax));
    figures = {
      price: stored(rowTotal / l.qty),
      priceInclTax: stored(rowTotalInclTax / l.qty),
      rowTotal,
      rowTotalInclTax,
      rowTax: sumMoney(children.map((c) => c.rowTax)),
      compensation: sumMoney(children.map((c) => c.discountTaxCompensationAmount)),
      taxPercent: null,
      discount: sumMoney(childDiscounts),
      discountPercent: 0,
    };
  } else {
    figures = zeroFigures();
  }
  const parentId = l.parentCode ? lines.find((p) => p.code === l.parentCode)!.itemId : null;
  return withBase({
    item_id: l.itemId,
    order_id: orderId,
    parent_item_id: parentId,
    product_id: l.productId,
    product_type: l.productType,
    sku: l.sku,
    name: l.name,
    is_virtual: l.isVirtual ? (1 as const) : (0 as const),
    qty_ordered: l.qty,
    qty_invoiced: 0,
    qty_refunded: 0,
    qty_canceled: 0,
    original_price: stored(l.unitPrice),
    price: stored(figures.price),
    price_incl_tax: stored(figures.priceInclTax),
    row_total: stored(figures.rowTotal),
    row_total_incl_tax: stored(figures.rowTotalInclTax),
    tax_amount: stored(figures.rowTax),
    tax_percent: figures.taxPercent,
    discount_amount: stored(figures.discount),
    discount_percent: figures.discountPercent,
    discount_tax_compensation_amount: stored(figures.compensation),
    tax_invoiced: 0,
    discount_invoiced: 0,
    row_invoiced: 0,
    discount_tax_compensation_invoiced: 0,
    amount_refunded: 0,
    tax_refunded: 0,
    discount_refunded: 0,
    discount_tax_compensation_refunded: 0,
  });
}

function zeroFigures() {
  return {
    price: 0,
    priceInclTax: 0,
    rowTotal: 0,
    rowTotalInclTax: 0,
    rowTax: 0,
    compensation: 0,
    taxPercent: null,
    discount: 0,
    discountPercent: 0,
  };
}

function zeroProgress() {
  return {
    subtotal_invoiced: 0,
    tax_invoiced: 0,
    discount_invoiced: 0,
    shipping_invoiced: 0,
    shipping_tax_invoiced: 0,
    discount_tax_compensation_invoiced: 0,
    shipping_discount_tax_compensation_invoiced: 0,
    total_invoiced: 0,
    total_paid: 0,
    subtotal_refunded: 0,
    tax_refunded: 0,
    discount_refunded: 0,
    shipping_refunded: 0,
    shipping_tax_refunded: 0,
    discount_tax_compensation_refunded: 0,
    shipping_discount_tax_compensation_refunded: 0,
    adjustment_positive: 0,
    adjustment_negative: 0,
    total_refunded: 0,
  };
}
