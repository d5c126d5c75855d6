import { randomUUID } from 'node:crypto';
import { EntityChangeEvent, EntityName, EntityPayloads } from '@xero-sync/contracts';

/**
 * Small, valid Magento 2 payloads for syncer tests: customers, products, orders (15 % tax, exclusive prices),
 * store invoices (full capture) and credit memos. Totals are exact to the cent so Xero's totals can be checked.
 */
export interface StoreFixture {
  customers: EntityPayloads['customer'][];
  products: EntityPayloads['product'][];
  orders: EntityPayloads['order'][];
  invoices: EntityPayloads['invoice'][];
  creditmemos: EntityPayloads['creditmemo'][];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const DATE = '2026-11-20 10:00:00';

export function makeCustomer(id: number, tag = 'c'): EntityPayloads['customer'] {
  return {
    id,
    email: `${tag}${id}@example.com`,
    firstname: `First${id}`,
    lastname: `Last${tag}${id}`,
    addresses: [],
  };
}

export function makeProduct(n: number, tag = 'P'): EntityPayloads['product'] {
  return {
    id: n,
    sku: `${tag}-${n}`,
    name: `Product ${tag} ${n}`,
    price: 10 + (n % 7),
    type_id: 'simple',
    status: 1,
    custom_attributes: [],
  };
}

export function makeOrder(
  entityId: number,
  customer: EntityPayloads['customer'],
  products: EntityPayloads['product'][],
  opts: { prefix?: string; state?: 'new' | 'processing' | 'complete'; qtyBump?: number } = {},
): EntityPayloads['order'] {
  const items = products.map((p, i) => {
    const qty = 1 + ((entityId + i + (opts.qtyBump ?? 0)) % 3);
    const rowTotal = round2(p.price * qty);
    const tax = round2(rowTotal * 0.15);
    return {
      item_id: entityId * 10 + i,
      product_type: 'simple',
      sku: p.sku,
      name: p.name,
      qty_ordered: qty,
      price: p.price,
      price_incl_tax: round2(p.price * 1.15),
      tax_percent: 15,
      tax_amount: tax,
      discount_amount: 0,
      row_total: rowTotal,
      row_total_incl_tax: round2(rowTotal + tax),
    };
  });
  const subtotal = round2(items.reduce((s, i) => s + i.row_total, 0));
  const shipping = 5;
  const shippingTax = 0.75;
  const tax = round2(items.reduce((s, i) => s + i.tax_amount, 0) + shippingTax);
  return {
    entity_id: entityId,
    increment_id: `${opts.prefix ?? ''}${100000000 + entityId}`,
    state: opts.state ?? 'processing',
    status: opts.state ?? 'processing',
    created_at: DATE,
    customer_id: customer.id,
    customer_is_guest: false,
    customer_email: customer.email,
    customer_firstname: customer.firstname,
    customer_lastname: customer.lastname,
    order_currency_code: 'NZD',
    base_currency_code: 'NZD',
    subtotal,
    tax_amount: tax,
    shipping_amount: shipping,
    shipping_tax_amount: shippingTax,
    shipping_incl_tax: shipping + shippingTax,
    discount_amount: 0,
    grand_total: round2(subtotal + shipping + tax),
    items,
    payment: { method: 'checkmo' },
  };
}

/** A store invoice capturing the whole order. */
export function makeInvoice(entityId: number, order: EntityPayloads['order']): EntityPayloads['invoice'] {
  return {
    entity_id: entityId,
    increment_id: `INV${order.increment_id}`,
    order_id: order.entity_id,
    order_increment_id: order.increment_id,
    state: 2,
    created_at: DATE,
    order_currency_code: order.order_currency_code,
    subtotal: order.subtotal,
    tax_amount: order.tax_amount,
    shipping_amount: order.shipping_amount,
    discount_amount: 0,
    grand_total: order.grand_total,
    payment_method: 'checkmo',
    items: order.items.map((i) => ({
      order_item_id: i.item_id,
      sku: i.sku,
      name: i.name,
      qty: i.qty_ordered,
      price: i.price,
      tax_amount: i.tax_amount,
      row_total: i.row_total,
    })),
  };
}

/** A credit memo refunding the first line of the order (no shipping), against store invoice `invoiceId`. */
export function makeCreditMemo(
  entityId: number,
  order: EntityPayloads['order'],
  invoiceId?: number,
): EntityPayloads['creditmemo'] {
  const line = order.items[0];
  return {
    entity_id: entityId,
    increment_id: `CM${order.increment_id}`,
    order_id: order.entity_id,
    order_increment_id: order.increment_id,
    invoice_id: invoiceId ?? null,
    state: 2,
    created_at: DATE,
    order_currency_code: order.order_currency_code,
    subtotal: line.row_total,
    tax_amount: line.tax_amount,
    shipping_amount: 0,
    shipping_tax_amount: 0,
    discount_amount: 0,
    adjustment_positive: 0,
    adjustment_negative: 0,
    grand_total: round2(line.row_total + (line.tax_amount ?? 0)),
    payment_method: 'checkmo',
    items: [
      {
        order_item_id: line.item_id,
        sku: line.sku,
        name: line.name,
        qty: line.qty_ordered,
        price: line.price,
        tax_amount: line.tax_amount,
        row_total: line.row_total,
      },
    ],
  };
}

/** A store with `orders` orders over a few customers and products; `invoiced`/`refunded` of them invoiced/refunded. */
export function makeStore(opts: {
  orders: number;
  customers?: number;
  products?: number;
  invoiced?: number;
  refunded?: number;
  idBase?: number;
  tag?: string;
}): StoreFixture {
  const base = opts.idBase ?? 1;
  const tag = opts.tag ?? 's';
  const customers = Array.from({ length: opts.customers ?? Math.max(1, Math.ceil(opts.orders / 5)) }, (_, i) =>
    makeCustomer(base + i, tag),
  );
  const products = Array.from({ length: opts.products ?? 5 }, (_, i) => makeProduct(base + i, tag.toUpperCase()));
  const orders = Array.from({ length: opts.orders }, (_, i) =>
    makeOrder(base + i, customers[i % customers.length], [
      products[i % products.length],
      products[(i + 1) % products.length],
    ]),
  );
  const invoices = orders.slice(0, opts.invoiced ?? 0).map((o, i) => makeInvoice(base + i, o));
  const creditmemos = orders
    .slice(0, opts.refunded ?? 0)
    .map((o, i) => makeCreditMemo(base + i, o, invoices.find((inv) => inv.order_id === o.entity_id)?.entity_id));
  return { customers, products, orders, invoices, creditmemos };
}

export function envelope<E extends EntityName>(
  storeId: string,
  entity: E,
  entityId: string,
  payload: EntityPayloads[E],
  occurredAt = new Date(),
): EntityChangeEvent {
  return {
    eventId: randomUUID(),
    storeId,
    entity,
    entityId,
    occurredAt: occurredAt.toISOString(),
    // As ingest publishes a webhook's event; "producer" would need the store's signature.
    origin: 'webhook',
    schemaVersion: 1,
    payload,
  } as EntityChangeEvent;
}

/** Every record of a fixture as events, in the order a store emits them (dependencies first). */
export function fixtureEvents(storeId: string, f: StoreFixture, at = new Date()): EntityChangeEvent[] {
  return [
    ...f.customers.map((c) => envelope(storeId, 'customer', String(c.id), c, at)),
    ...f.products.map((p) => envelope(storeId, 'product', p.sku, p, at)),
    ...f.orders.map((o) => envelope(storeId, 'order', String(o.entity_id), o, at)),
    ...f.invoices.map((i) => envelope(storeId, 'invoice', String(i.entity_id), i, at)),
    ...f.creditmemos.map((c) => envelope(storeId, 'creditmemo', String(c.entity_id), c, at)),
  ];
}
