import { randomUUID } from 'node:crypto';
import type {
  EntityChangeEvent,
  EntityName,
  EntityPayloads,
  EventOrigin,
  MagentoCreditMemo,
  MagentoCustomer,
  MagentoDocumentItem,
  MagentoInvoice,
  MagentoOrder,
  MagentoOrderItem,
  MagentoProduct,
} from '@xero-sync/contracts';

/**
 * A seeded generator of a consistent Magento 2 store: customers (and guests), products (some with SKUs over 30
 * chars and names over 50), and orders in three currencies with odd quantities and 4-dp prices, percentage and
 * fixed discounts, taxed and untaxed shipping, full and partial invoices, partial and full refunds and
 * cancellations. Totals are computed the way Magento computes them (per-row tax with its rounding delta carried
 * across rows, a fixed cart discount spread over rows with the last row taking the remainder, the last invoice
 * taking what is left of the grand total), so `grand_total` is the truth a Xero mapping has to hit.
 * Same seed and options → the same store, byte for byte.
 */
export interface GenerateStoreOptions {
  seed?: number;
  storeId?: string;
  customers?: number;
  products?: number;
  orders?: number;
  /** Share of orders placed by guests (0..1). Default 0.25. */
  guestShare?: number;
  /** Catalog prices include tax (Magento "Catalog Prices: Including Tax"). Default false. */
  pricesIncludeTax?: boolean;
  /** Prefix of every increment id (Magento prefixes them with the store view id in multi-store setups). */
  incrementPrefix?: string;
  /** ISO day the first order is placed on. */
  startDay?: string;
  /**
   * Relative weights of the order scenarios (missing ones weigh 0). Default DEFAULT_SCENARIO_MIX: refund-heavy,
   * to exercise the accounting rules; BENCH_SCENARIO_MIX follows a typical store (most orders simply paid).
   */
  scenarioMix?: Partial<Record<OrderScenario, number>>;
}

/** The accounting corpus' mix: four in ten orders refunded, part-invoiced or cancelled in some way. */
export const DEFAULT_SCENARIO_MIX: Record<OrderScenario, number> = {
  paid: 0.4,
  'partial-invoices': 0.13,
  'partial-refund': 0.12,
  'full-refund': 0.05,
  'partial-invoices-refund': 0.06,
  'on-account-refund': 0.07,
  canceled: 0.09,
  pending: 0.08,
};

/**
 * The sync benchmark's mix, the shape of the data set in the syncer issue (per 10,000 orders about 8,000 store
 * invoices and 500 credit memos): 5% of orders refunded, 5% cancelled, 12% still open.
 */
export const BENCH_SCENARIO_MIX: Record<OrderScenario, number> = {
  paid: 0.75,
  'partial-invoices': 0.03,
  'partial-refund': 0.03,
  'full-refund': 0.015,
  'partial-invoices-refund': 0.005,
  'on-account-refund': 0,
  canceled: 0.05,
  pending: 0.12,
};

/** Picks a scenario for a roll in [0, 1) by cumulative weight (the default mix keeps its historical thresholds). */
function scenarioOf(roll: number, mix: Partial<Record<OrderScenario, number>>): OrderScenario {
  const entries = Object.entries(mix).filter(([, w]) => (w ?? 0) > 0) as [OrderScenario, number][];
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let acc = 0;
  for (const [scenario, weight] of entries) {
    acc += weight / total;
    if (roll < acc) return scenario;
  }
  return entries[entries.length - 1][0];
}

/** One entity change in store order: the envelope's entity, entityId and payload. */
export interface GeneratedEvent<E extends EntityName = EntityName> {
  entity: E;
  entityId: string;
  payload: EntityPayloads[E];
}

/** How an order's life went; lets tests pick cases. */
export type OrderScenario =
  | 'paid'
  | 'partial-invoices'
  | 'partial-refund'
  | 'full-refund'
  | 'partial-invoices-refund'
  | 'on-account-refund'
  | 'canceled'
  | 'pending';

export interface GeneratedStore {
  storeId: string;
  pricesIncludeTax: boolean;
  customers: MagentoCustomer[];
  products: MagentoProduct[];
  /** Final state of every order. */
  orders: MagentoOrder[];
  invoices: MagentoInvoice[];
  creditMemos: MagentoCreditMemo[];
  scenarios: Record<string, OrderScenario>;
  /**
   * Every change in the order the store made it (customers and products before the orders using them; each
   * order's invoices and credit memos after the order, with the order re-sent when its state changed).
   */
  events: GeneratedEvent[];
  /** The last event per (entity, id): what a backfill would send, still in dependency order. */
  latest: GeneratedEvent[];
}

export const STORE_CURRENCIES = { NZD: 1, USD: 0.5931, AUD: 0.9127 } as const;
const TAX_RATE = 0.15;
const TAXABLE_CLASS = '2';
const NO_TAX_CLASS = '0';

/** Seeded PRNG (mulberry32): small, fast, and good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decimal rounding half away from zero, robust to binary representation (1.005 → 1.01). */
export function roundDecimal(value: number, dp = 2): number {
  const f = 10 ** dp;
  const s = Math.sign(value);
  return (s * Math.round(Number((Math.abs(value) * f).toPrecision(15)))) / f;
}
const r2 = (v: number) => roundDecimal(v, 2);
const r4 = (v: number) => roundDecimal(v, 4);
const sum = (vs: number[]) => r2(vs.reduce((a, b) => a + b, 0));

const FIRST = [
  'Alex',
  'Sam',
  'Jordan',
  'Taylor',
  'Morgan',
  'Riley',
  'Casey',
  'Jamie',
  'Aroha',
  'Wiremu',
  'Mere',
  'Hēmi',
  'Zoë',
  'Łukasz',
];
const LAST = ['Smith', 'Ngata', 'Brown', 'Williams', 'Tane', 'Wilson', 'Taylor', 'Anderson', "O'Brien", 'Müller'];
const NOUNS = [
  'Widget',
  'Gadget',
  'Flask',
  'Mug',
  'Scarf',
  'Beanie',
  'Kete',
  'Poster',
  'Candle',
  'Notebook',
  'Blanket',
];
const ADJ = ['Blue', 'Organic', 'Merino', 'Handmade', 'Deluxe', 'Compact', 'Vintage', 'Recycled'];
const CITIES = ['Auckland', 'Wellington', 'Christchurch', 'Dunedin', 'Hamilton', 'Sydney', 'Seattle'];
const METHODS = ['checkmo', 'stripe_payments', 'paypal_express', 'banktransfer'];

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

function stamp(base: Date, minutes: number): string {
  return new Date(base.getTime() + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

interface Row {
  item: MagentoOrderItem;
  taxRate: number;
  /** Row gross incl. tax (inclusive stores) – kept for invoices/credit memos. */
  rowIncl: number;
}

/** Generates one store; see GenerateStoreOptions for the knobs. */
export function generateStore(options: GenerateStoreOptions = {}): GeneratedStore {
  const seed = options.seed ?? 1;
  const rand = prng(seed);
  const storeId = options.storeId ?? `store-${seed}`;
  const incl = options.pricesIncludeTax ?? false;
  const prefix = options.incrementPrefix ?? '';
  const nCustomers = options.customers ?? 50;
  const nProducts = options.products ?? 40;
  const nOrders = options.orders ?? 100;
  const guestShare = options.guestShare ?? 0.25;
  const start = new Date(`${options.startDay ?? '2026-01-05'}T08:00:00Z`);
  const inc = (n: number) => `${prefix}${String(n).padStart(9, '0')}`;

  const customers: MagentoCustomer[] = [];
  for (let id = 1; id <= nCustomers; id++) {
    // Every tenth customer shares a name with another: Xero needs unique contact names.
    const first = id % 10 === 0 ? 'Alex' : pick(rand, FIRST);
    const last = id % 10 === 0 ? 'Smith' : pick(rand, LAST);
    const city = pick(rand, CITIES);
    customers.push({
      id,
      email: `${first.toLowerCase().replace(/[^a-z]/g, 'x')}.${last.toLowerCase().replace(/[^a-z]/g, 'x')}.${id}@example.com`,
      firstname: first,
      lastname: last,
      group_id: 1,
      website_id: 1,
      store_id: 1,
      created_at: stamp(start, -10_000 + id),
      taxvat: id % 7 === 0 ? `${100 + id}-${200 + id}-${300 + id}` : null,
      addresses: [
        {
          firstname: first,
          lastname: last,
          street: [`${1 + Math.floor(rand() * 200)} ${pick(rand, LAST)} Street`],
          city,
          postcode: String(1000 + Math.floor(rand() * 8999)),
          country_id: city === 'Sydney' ? 'AU' : city === 'Seattle' ? 'US' : 'NZ',
          telephone: `+64 21 ${100000 + id}`,
          default_billing: true,
          default_shipping: true,
        },
      ],
    });
  }

  const products: MagentoProduct[] = [];
  for (let id = 1; id <= nProducts; id++) {
    const long = id % 7 === 3;
    const name = `${pick(rand, ADJ)} ${pick(rand, NOUNS)}${id % 9 === 4 ? ' with an extraordinarily long descriptive product title that goes on' : ''} #${id}`;
    const sku = long
      ? `LONG-SKU-${pick(rand, ADJ).toUpperCase()}-${pick(rand, NOUNS).toUpperCase()}-EDITION-${id}-XL-BLUE`
      : `SKU-${id}`;
    // A few prices with 3-4 decimals (tier/unit pricing) provoke Xero's unit-price rounding.
    const odd = id % 6 === 5;
    const price = odd ? r4(0.1 + rand() * 20) : r2(1 + rand() * 150);
    products.push({
      id,
      sku,
      name,
      price,
      type_id: 'simple',
      status: 1,
      visibility: 4,
      created_at: stamp(start, -20_000 + id),
      custom_attributes: [{ attribute_code: 'tax_class_id', value: id % 5 === 0 ? NO_TAX_CLASS : TAXABLE_CLASS }],
      extension_attributes: { stock_item: { qty: 100, is_in_stock: true } },
    });
  }

  const orders: MagentoOrder[] = [];
  const invoices: MagentoInvoice[] = [];
  const creditMemos: MagentoCreditMemo[] = [];
  const scenarios: Record<string, OrderScenario> = {};
  const events: GeneratedEvent[] = [];
  for (const c of customers) events.push({ entity: 'customer', entityId: String(c.id), payload: c });
  for (const p of products) events.push({ entity: 'product', entityId: p.sku, payload: p });

  let itemId = 1;
  let invoiceSeq = 1;
  let memoSeq = 1;
  let docItemId = 1;
  for (let n = 1; n <= nOrders; n++) {
    const at = n * 37;
    const currency = rand() < 0.6 ? 'NZD' : rand() < 0.5 ? 'USD' : 'AUD';
    const fx = STORE_CURRENCIES[currency];
    const guest = rand() < guestShare;
    const customer = pick(rand, customers);
    const guestNo = 1 + Math.floor(rand() * Math.max(3, nOrders / 6));
    // Guests come back with differently capitalised emails: still one contact.
    const guestEmail = `${rand() < 0.3 ? 'Guest' : 'guest'}${guestNo}@Example.net`;
    const roll = rand();
    let scenario = scenarioOf(roll, options.scenarioMix ?? DEFAULT_SCENARIO_MIX);

    // Lines
    const lineCount = Math.min(products.length, 1 + Math.floor(rand() * 4));
    const chosen = new Set<MagentoProduct>();
    while (chosen.size < lineCount) chosen.add(pick(rand, products));
    if ((scenario === 'partial-invoices' || scenario === 'partial-invoices-refund') && chosen.size < 2)
      scenario = 'paid';
    const discountRoll = rand();
    const percent = discountRoll < 0.3 ? pick(rand, [10, 12.5, 15, 33]) : 0;
    const fixed = discountRoll >= 0.3 && discountRoll < 0.45 ? pick(rand, [5, 7.77, 10]) : 0;
    const deltas = new Map<number, number>();
    const taxOf = (base: number, rate: number) => {
      // Magento's "Total" algorithm: tax per row, with the rounding delta carried to the next row of that rate.
      const raw = (incl ? (base * rate) / (1 + rate) : base * rate) + (deltas.get(rate) ?? 0);
      const t = r2(raw);
      deltas.set(rate, raw - t);
      return t;
    };
    const rows: Row[] = [];
    for (const p of chosen) {
      const rate = p.custom_attributes.some((a) => a.value === NO_TAX_CLASS) ? 0 : TAX_RATE;
      const qtyRoll = rand();
      const qty =
        qtyRoll < 0.75
          ? 1 + Math.floor(rand() * 5)
          : qtyRoll < 0.9
            ? pick(rand, [1.5, 2.25, 0.75])
            : pick(rand, [1.3333, 2.6667, 7]);
      const catalog = p.price * fx;
      const twoDp = p.price === r2(p.price);
      const unitIncl = incl ? (twoDp ? r2(catalog) : r4(catalog)) : r4(catalog * (1 + rate));
      const unit = incl ? r4(unitIncl / (1 + rate)) : twoDp ? r2(catalog) : r4(catalog);
      const rowTotal = incl ? r2(r2(unitIncl * qty) / (1 + rate)) : r2(unit * qty);
      const rowIncl = incl ? r2(unitIncl * qty) : r2(rowTotal * (1 + rate));
      rows.push({
        taxRate: rate,
        rowIncl,
        item: {
          item_id: itemId++,
          product_id: p.id,
          product_type: 'simple',
          sku: p.sku,
          name: p.name,
          qty_ordered: qty,
          qty_invoiced: 0,
          qty_refunded: 0,
          qty_canceled: 0,
          price: unit,
          price_incl_tax: incl ? unitIncl : r2(unit * (1 + rate)),
          base_price: p.price,
          tax_percent: rate * 100,
          tax_amount: 0,
          discount_amount: 0,
          discount_percent: percent,
          row_total: rowTotal,
          row_total_incl_tax: rowIncl,
        },
      });
    }
    // Discounts: a percentage per row, or a fixed cart amount spread by row value (last row takes the rest).
    const discountBase = (r: Row) => (incl ? r.rowIncl : r.item.row_total);
    if (percent) {
      for (const r of rows) r.item.discount_amount = r2((discountBase(r) * percent) / 100);
    } else if (fixed) {
      const amount = Math.min(r2(fixed * fx), sum(rows.map(discountBase)));
      const base = sum(rows.map(discountBase));
      let left = amount;
      rows.forEach((r, i) => {
        const share = i === rows.length - 1 ? r2(left) : r2((amount * discountBase(r)) / base);
        r.item.discount_amount = share;
        left = r2(left - share);
      });
    }
    for (const r of rows) r.item.tax_amount = taxOf(discountBase(r) - (r.item.discount_amount ?? 0), r.taxRate);

    const shipRoll = rand();
    const shipGross = shipRoll < 0.8 ? r2(pick(rand, [4.95, 7.5, 9.99, 12.34]) * fx) : 0;
    const shipTaxed = shipGross > 0 && rand() < 0.7;
    let shipping = 0;
    let shippingTax = 0;
    let shippingIncl = 0;
    if (shipGross > 0) {
      if (incl) {
        shippingIncl = shipGross;
        shippingTax = shipTaxed ? taxOf(shipGross, TAX_RATE) : 0;
        shipping = r2(shipGross - shippingTax);
      } else {
        shipping = shipGross;
        shippingTax = shipTaxed ? taxOf(shipGross, TAX_RATE) : 0;
        shippingIncl = r2(shipping + shippingTax);
      }
    }
    const subtotal = sum(rows.map((r) => r.item.row_total));
    const subtotalIncl = sum(rows.map((r) => r.rowIncl));
    const discount = sum(rows.map((r) => r.item.discount_amount ?? 0));
    const tax = sum([...rows.map((r) => r.item.tax_amount ?? 0), shippingTax]);
    const grand = incl ? sum([subtotalIncl, -discount, shippingIncl]) : sum([subtotal, shipping, tax, -discount]);
    const orderId = n;
    const method = scenario === 'on-account-refund' ? 'purchaseorder' : pick(rand, METHODS);
    const first = guest ? pick(rand, FIRST) : customer.firstname;
    const last = guest ? pick(rand, LAST) : customer.lastname;
    const order: MagentoOrder = {
      entity_id: orderId,
      increment_id: inc(n),
      state: 'new',
      status: 'pending',
      created_at: stamp(start, at),
      updated_at: stamp(start, at),
      customer_id: guest ? null : customer.id,
      customer_is_guest: guest ? 1 : 0,
      customer_email: guest ? guestEmail : customer.email,
      customer_firstname: first,
      customer_lastname: last,
      order_currency_code: currency,
      base_currency_code: 'NZD',
      base_to_order_rate: fx,
      subtotal,
      subtotal_incl_tax: subtotalIncl,
      tax_amount: tax,
      shipping_amount: shipping,
      shipping_tax_amount: shippingTax,
      shipping_incl_tax: shippingIncl,
      shipping_description: shipGross > 0 ? 'Flat Rate - Fixed' : null,
      discount_amount: discount ? -discount : 0,
      discount_description: percent ? `${percent}% off` : fixed ? 'Fixed amount off' : null,
      grand_total: grand,
      total_paid: 0,
      total_refunded: 0,
      items: rows.map((r) => r.item),
      billing_address: guest
        ? {
            firstname: first,
            lastname: last,
            street: ['1 Queen Street'],
            city: 'Auckland',
            postcode: '1010',
            country_id: 'NZ',
            email: guestEmail,
          }
        : customer.addresses[0],
      payment: { method },
      // Magento's own field for the tax hidden in inclusive discounts, so the classic identity holds.
      discount_tax_compensation_amount: incl ? r2(grand - (subtotal + shipping + tax - discount)) : 0,
    };
    scenarios[order.increment_id] = scenario;
    const snapshot = (state: MagentoOrder['state'], status: string, minutes: number): MagentoOrder => ({
      ...order,
      state,
      status,
      updated_at: stamp(start, at + minutes),
      items: order.items.map((i) => ({ ...i })),
    });
    const emitOrder = (o: MagentoOrder) => events.push({ entity: 'order', entityId: String(o.entity_id), payload: o });
    emitOrder(snapshot('new', 'pending', 0));

    const docLine = (r: Row, qty: number): MagentoDocumentItem => {
      const share = qty / r.item.qty_ordered;
      const whole = share === 1;
      const rowTotal = whole ? r.item.row_total : r2(r.item.row_total * share);
      const rowIncl = whole ? r.rowIncl : r2(r.rowIncl * share);
      const disc = whole ? (r.item.discount_amount ?? 0) : r2((r.item.discount_amount ?? 0) * share);
      const t = whole ? (r.item.tax_amount ?? 0) : r2((r.item.tax_amount ?? 0) * share);
      return {
        entity_id: docItemId++,
        order_item_id: r.item.item_id,
        sku: r.item.sku,
        name: r.item.name,
        qty,
        price: r.item.price,
        price_incl_tax: r.item.price_incl_tax,
        tax_amount: t,
        discount_amount: disc,
        row_total: rowTotal,
        row_total_incl_tax: rowIncl,
      };
    };
    const lineValue = (l: MagentoDocumentItem) =>
      incl
        ? r2((l.row_total_incl_tax ?? 0) - (l.discount_amount ?? 0))
        : r2(l.row_total - (l.discount_amount ?? 0) + (l.tax_amount ?? 0));
    let minutes = 5;
    let paid = 0;
    const makeInvoice = (lines: MagentoDocumentItem[], withShipping: boolean, last: boolean): MagentoInvoice => {
      const partialGrand = sum([...lines.map(lineValue), withShipping ? shippingIncl : 0]);
      const grandTotal = last ? r2(grand - paid) : partialGrand;
      paid = r2(paid + grandTotal);
      const inv: MagentoInvoice = {
        entity_id: invoiceSeq,
        increment_id: inc(invoiceSeq++),
        order_id: orderId,
        order_increment_id: order.increment_id,
        state: 2,
        created_at: stamp(start, at + (minutes += 5)),
        order_currency_code: currency,
        subtotal: sum(lines.map((l) => l.row_total)),
        tax_amount: sum([...lines.map((l) => l.tax_amount ?? 0), withShipping ? shippingTax : 0]),
        shipping_amount: withShipping ? shipping : 0,
        discount_amount: -sum(lines.map((l) => l.discount_amount ?? 0)),
        grand_total: grandTotal,
        payment_method: method,
        items: lines,
      };
      invoices.push(inv);
      events.push({ entity: 'invoice', entityId: String(inv.entity_id), payload: inv });
      return inv;
    };
    const markInvoiced = (lines: MagentoDocumentItem[]) => {
      for (const l of lines) {
        const it = order.items.find((i) => i.item_id === l.order_item_id)!;
        it.qty_invoiced = (it.qty_invoiced ?? 0) + l.qty;
      }
    };
    let refunded = 0;
    const makeMemo = (lines: MagentoDocumentItem[], withShipping: boolean, adjPos: number, adjNeg: number) => {
      const base = sum([...lines.map(lineValue), withShipping ? shippingIncl : 0]);
      // Magento refunds at most what was paid, and never a negative amount.
      if (base + adjPos > r2(paid - refunded)) adjPos = 0;
      if (adjNeg > base) adjNeg = 0;
      const grandTotal = sum([base, adjPos, -adjNeg]);
      refunded = r2(refunded + grandTotal);
      const memo: MagentoCreditMemo = {
        entity_id: memoSeq,
        increment_id: inc(memoSeq++),
        order_id: orderId,
        order_increment_id: order.increment_id,
        state: 2,
        created_at: stamp(start, at + (minutes += 5)),
        order_currency_code: currency,
        subtotal: sum(lines.map((l) => l.row_total)),
        tax_amount: sum([...lines.map((l) => l.tax_amount ?? 0), withShipping ? shippingTax : 0]),
        shipping_amount: withShipping ? shipping : 0,
        shipping_tax_amount: withShipping ? shippingTax : 0,
        shipping_incl_tax: withShipping ? shippingIncl : 0,
        discount_amount: -sum(lines.map((l) => l.discount_amount ?? 0)),
        adjustment_positive: adjPos,
        adjustment_negative: adjNeg,
        grand_total: grandTotal,
        payment_method: method,
        items: lines,
      };
      for (const l of lines) {
        const it = order.items.find((i) => i.item_id === l.order_item_id)!;
        it.qty_refunded = (it.qty_refunded ?? 0) + l.qty;
      }
      creditMemos.push(memo);
      events.push({ entity: 'creditmemo', entityId: String(memo.entity_id), payload: memo });
    };
    const partialRefundLines = () => {
      const picked = rows.slice(0, Math.max(1, Math.floor(rows.length / 2)));
      return picked.map((r) =>
        docLine(r, Number.isInteger(r.item.qty_ordered) && r.item.qty_ordered >= 2 ? 1 : r.item.qty_ordered),
      );
    };

    let final: MagentoOrder;
    switch (scenario) {
      case 'pending':
        final = snapshot('new', 'pending', 1);
        break;
      case 'canceled': {
        for (const i of order.items) i.qty_canceled = i.qty_ordered;
        final = snapshot('canceled', 'canceled', 3);
        emitOrder(final);
        break;
      }
      case 'paid':
      case 'partial-refund':
      case 'full-refund':
      case 'on-account-refund': {
        const lines = rows.map((r) => docLine(r, r.item.qty_ordered));
        makeInvoice(lines, true, true);
        markInvoiced(lines);
        order.total_paid = scenario === 'on-account-refund' ? 0 : grand;
        if (scenario === 'paid') {
          final = snapshot('complete', 'complete', (minutes += 5));
          emitOrder(final);
          break;
        }
        emitOrder(snapshot('complete', 'complete', (minutes += 5)));
        if (scenario === 'full-refund') {
          makeMemo(
            rows.map((r) => docLine(r, r.item.qty_ordered)),
            true,
            0,
            0,
          );
        } else {
          makeMemo(partialRefundLines(), rand() < 0.5, pick(rand, [0, 0, 2, 5.55]), pick(rand, [0, 0, 1.5, 3.33]));
        }
        order.total_refunded = refunded;
        final = snapshot(
          scenario === 'full-refund' ? 'closed' : 'complete',
          scenario === 'full-refund' ? 'closed' : 'complete',
          (minutes += 5),
        );
        emitOrder(final);
        break;
      }
      case 'partial-invoices':
      case 'partial-invoices-refund': {
        const half = Math.ceil(rows.length / 2);
        const firstLines = rows.slice(0, half).map((r) => docLine(r, r.item.qty_ordered));
        makeInvoice(firstLines, true, false);
        markInvoiced(firstLines);
        order.total_paid = paid;
        emitOrder(snapshot('processing', 'processing', (minutes += 5)));
        const restLines = rows.slice(half).map((r) => docLine(r, r.item.qty_ordered));
        makeInvoice(restLines, false, true);
        markInvoiced(restLines);
        order.total_paid = grand;
        if (scenario === 'partial-invoices-refund') {
          emitOrder(snapshot('complete', 'complete', (minutes += 5)));
          makeMemo(partialRefundLines(), false, 0, pick(rand, [0, 1.5]));
          order.total_refunded = refunded;
        }
        final = snapshot('complete', 'complete', (minutes += 5));
        emitOrder(final);
        break;
      }
    }
    orders.push(final);
  }
  return {
    storeId,
    pricesIncludeTax: incl,
    customers,
    products,
    orders,
    invoices,
    creditMemos,
    scenarios,
    events,
    latest: latestOf(events),
  };
}

/** The last event of each (entity, id), kept in the position of that last event (dependency order holds). */
export function latestOf(events: GeneratedEvent[]): GeneratedEvent[] {
  const lastIndex = new Map<string, number>();
  events.forEach((e, i) => lastIndex.set(`${e.entity}:${e.entityId}`, i));
  return events.filter((e, i) => lastIndex.get(`${e.entity}:${e.entityId}`) === i);
}

/**
 * Wraps a generated change in the v1 event envelope, as ingest publishes a webhook's event (a test writing it to
 * Kafka itself stands in for ingest: origin "producer" would need the store's signature, docs/ingest.md).
 */
export function toEnvelope(
  storeId: string,
  event: GeneratedEvent,
  origin: EventOrigin = 'webhook',
  occurredAt = new Date(),
): EntityChangeEvent {
  return {
    eventId: randomUUID(),
    storeId,
    entity: event.entity,
    entityId: event.entityId,
    occurredAt: occurredAt.toISOString(),
    origin,
    schemaVersion: 1,
    payload: event.payload,
  } as EntityChangeEvent;
}
