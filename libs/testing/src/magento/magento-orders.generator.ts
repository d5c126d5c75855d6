import type { MagentoCustomer, MagentoProduct } from '@xero-sync/contracts';
import { GeneratedEvent, prng } from '../magento-store.generator';
import { buildCatalog, buildCustomers } from './catalog';
import { configurationsNamed, StoreConfiguration } from './configurations';
import { createCreditMemo, refundableTotal, remainingToRefund } from './creditmemo-totals';
import { createInvoice, remainingToInvoice } from './invoice-totals';
import type { Cart, CartLine } from './magento.types';
import { roundCents } from './money';
import { buildOrder } from './order-totals';
import type { CreditMemoPayload, InvoicePayload, OrderPayload } from './payload.types';

/** How an engine order's life went. */
export type EngineScenario =
  'pending' | 'paid' | 'partial-invoices' | 'partial-refund' | 'full-refund' | 'partial-invoices-refund';

const SCENARIOS: EngineScenario[] = [
  'paid',
  'paid',
  'partial-invoices',
  'partial-refund',
  'partial-refund',
  'full-refund',
  'partial-invoices-refund',
  'pending',
];

export interface GenerateMagentoOrdersOptions {
  seed?: number;
  /** Names from STORE_CONFIGURATIONS (default: all); orders are spread over them in turn. */
  configurations?: readonly string[];
  /** Orders in all. */
  count?: number;
  /** ISO day of the first order. */
  startDay?: string;
}

/** One generated order with everything that happened to it. */
export interface EngineOrder {
  configuration: string;
  scenario: EngineScenario;
  order: OrderPayload;
  invoices: InvoicePayload[];
  creditMemos: CreditMemoPayload[];
}

export interface GeneratedMagentoOrders {
  customers: MagentoCustomer[];
  /** Every configuration's catalog (SKUs prefixed with the configuration's name). */
  products: MagentoProduct[];
  orders: EngineOrder[];
  /** Customers, products, then per order: the order, its invoices and memos, the order again in its final state. */
  events: GeneratedEvent[];
}

const stamp = (base: Date, minutes: number) =>
  new Date(base.getTime() + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');

/**
 * Orders, invoices and credit memos whose every figure is what Magento 2.4 computes for the named store
 * configurations (see ./index.ts for what each follows). Deterministic per seed.
 */
export function generateMagentoOrders(options: GenerateMagentoOrdersOptions = {}): GeneratedMagentoOrders {
  const rand = prng(options.seed ?? 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const configurations = configurationsNamed(options.configurations);
  const start = new Date(`${options.startDay ?? '2026-02-02'}T08:00:00Z`);
  const customers = buildCustomers(12);
  const catalogs = configurations.map((c) => {
    const catalog = buildCatalog(rand);
    const prefix = (sku: string) => `${c.name.toUpperCase()}-${sku}`;
    for (const p of catalog.products) p.sku = prefix(p.sku);
    for (const p of catalog.cartProducts) {
      p.sku = prefix(p.sku);
      for (const child of p.children ?? []) child.sku = prefix(child.sku);
    }
    return catalog;
  });
  const offset = (n: number) => catalogs.slice(0, n).reduce((s, c) => s + c.products.length, 0);
  catalogs.forEach((catalog, n) => {
    const shift = offset(n);
    for (const p of catalog.products) p.id += shift;
    for (const p of catalog.cartProducts) {
      p.productId += shift;
      for (const child of p.children ?? []) child.productId += shift;
    }
  });
  const products = catalogs.flatMap((c) => c.products);
  const events: GeneratedEvent[] = [
    ...customers.map((c) => ({ entity: 'customer' as const, entityId: String(c.id), payload: c })),
    ...products.map((p) => ({ entity: 'product' as const, entityId: p.sku, payload: p })),
  ];

  const ids = { item: 1, invoice: 1, memo: 1, line: 1 };
  const orders: EngineOrder[] = [];
  const count = options.count ?? 100;
  for (let n = 1; n <= count; n++) {
    const configuration = configurations[(n - 1) % configurations.length];
    const catalog = catalogs[(n - 1) % configurations.length];
    const lineCount = 1 + Math.floor(rand() * 4);
    const lines: CartLine[] = [];
    while (lines.length < lineCount) {
      const product = pick(catalog.cartProducts);
      if (lines.some((l) => l.product.sku === product.sku)) continue;
      lines.push({ product, qty: rand() < 0.6 ? 1 : 2 + Math.floor(rand() * 4) });
    }
    const cart: Cart = {
      lines,
      shippingPrice: rand() < 0.85 ? pick(configuration.shippingPrices) : 0,
      rule: rand() < 0.55 ? pick(configuration.rules) : undefined,
      giftCards: rand() < 0.08 ? 10 : 0,
      customerBalance: rand() < 0.08 ? roundCents(5 + rand() * 20) : 0,
    };
    const guest = rand() < 0.25;
    const customer = pick(customers);
    const at = n * 41;
    const order = buildOrder(cart, configuration.settings, {
      orderId: n,
      incrementId: String(n).padStart(9, '0'),
      firstItemId: ids.item,
      createdAt: stamp(start, at),
      currency: configuration.currency,
      paymentMethod: pick(['checkmo', 'stripe_payments', 'paypal_express']),
      customer: guest
        ? { id: null, email: `guest${n}@example.net`, firstname: 'Guest', lastname: `Buyer ${n}` }
        : { id: customer.id, email: customer.email, firstname: customer.firstname, lastname: customer.lastname },
    });
    ids.item += order.items.length;
    const scenario = pick(SCENARIOS);
    orders.push(live(order, configuration, scenario, rand, ids, (m) => stamp(start, at + m), events));
  }
  return { customers, products, orders, events };
}

/** Takes an order through its scenario: invoices, refunds, state changes, and the events the store would send. */
function live(
  order: OrderPayload,
  configuration: StoreConfiguration,
  scenario: EngineScenario,
  rand: () => number,
  ids: { invoice: number; memo: number; line: number },
  at: (minutes: number) => string,
  events: GeneratedEvent[],
): EngineOrder {
  const invoices: InvoicePayload[] = [];
  const memos: CreditMemoPayload[] = [];
  let minutes = 0;
  const emitOrder = (state: OrderPayload['state']) => {
    order.state = state;
    order.status = state === 'new' ? 'pending' : state;
    order.updated_at = at(minutes);
    events.push({ entity: 'order', entityId: String(order.entity_id), payload: structuredClone(order) });
  };
  const invoice = (qtys: Map<number, number>) => {
    minutes += 5;
    const inv = createInvoice(order, {
      entityId: ids.invoice,
      incrementId: `INV${String(ids.invoice++).padStart(9, '0')}`,
      createdAt: at(minutes),
      firstLineId: ids.line,
      qtys,
    });
    ids.line += inv.items.length;
    invoices.push(inv);
    events.push({ entity: 'invoice', entityId: String(inv.entity_id), payload: inv });
  };
  const refund = (qtys: Map<number, number>, extra: { shipping?: number; positive?: number; negative?: number }) => {
    minutes += 5;
    const request = {
      entityId: ids.memo,
      incrementId: `CM${String(ids.memo).padStart(9, '0')}`,
      createdAt: at(minutes),
      firstLineId: ids.line,
      invoiceId: invoices.length ? invoices[invoices.length - 1].entity_id : null,
      qtys,
      shippingAmount: extra.shipping,
      adjustmentPositive: extra.positive,
      adjustmentNegative: extra.negative,
    };
    let memo: CreditMemoPayload;
    try {
      // Validation runs before anything is registered on the order, so a refused memo leaves it untouched.
      memo = createCreditMemo(order, request);
    } catch {
      // Magento would refuse the memo (more than was paid, or negative): refund without the adjustments.
      memo = createCreditMemo(order, { ...request, adjustmentPositive: 0, adjustmentNegative: 0 });
    }
    ids.memo++;
    ids.line += memo.items.length;
    memos.push(memo);
    events.push({ entity: 'creditmemo', entityId: String(memo.entity_id), payload: memo });
  };
  const partOf = (all: Map<number, number>) => {
    const part = new Map<number, number>();
    [...all].forEach(([id, qty], i) => {
      if (qty >= 2) part.set(id, Math.floor(qty / 2));
      else if (i % 2 === 0) part.set(id, qty);
    });
    return part.size ? part : new Map([[...all][0]]);
  };

  emitOrder('new');
  if (scenario !== 'pending' && order.grand_total >= 0) {
    if (scenario === 'partial-invoices' || scenario === 'partial-invoices-refund') {
      invoice(partOf(remainingToInvoice(order)));
      emitOrder('processing');
    }
    const rest = remainingToInvoice(order);
    if (rest.size) invoice(rest);
    emitOrder('processing');
    if (scenario === 'full-refund') refund(remainingToRefund(order), {});
    if (scenario === 'partial-refund' || scenario === 'partial-invoices-refund') {
      const halfShipping = order.shipping_amount > 0 && !order.shipping_discount_amount && rand() < 0.4;
      refund(partOf(remainingToRefund(order)), {
        shipping: halfShipping ? roundCents(order.shipping_amount / 2) : rand() < 0.5 ? 0 : undefined,
        positive: [0, 0, 2, 5.55][Math.floor(rand() * 4)],
        negative: [0, 0, 1.5, 3.33][Math.floor(rand() * 4)],
      });
    }
    emitOrder(refundableTotal(order) <= 0 && memos.length ? 'closed' : 'complete');
  }
  return { configuration: configuration.name, scenario, order, invoices, creditMemos: memos };
}
