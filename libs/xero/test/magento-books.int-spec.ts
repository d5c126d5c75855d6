import { randomUUID } from 'node:crypto';
import type { MagentoCreditMemo, MagentoOrder } from '@xero-sync/contracts';
import { defaultStoreSettings, XeroMappingSettings } from '@xero-sync/persistence';
import { generateMagentoOrders, STORE_CONFIGURATIONS } from '@xero-sync/testing';
import { DeliveryItem, DeliveryResult } from '@xero-sync/xero';
import { deliverToStore, xeroWorld, XeroWorld } from './xero-test-app';

/**
 * The books as Magento keeps them, through the real client into the Xero sandbox: orders of every tax configuration
 * the test store's Magento 2.4 arithmetic covers (three calculation methods, two and compounding rates, tax before
 * discount, prices and discounts including tax, bundles, configurables, gift cards and store credit), one store per
 * configuration in one org. Every Xero invoice and credit note equals its store document in total (the whole sale),
 * tax, each item's tax, day and currency; rounding lines stay rare and a cent at most. Gift cards and store credit
 * are paid off from (and refunded to) their liability accounts: a fully invoiced order's Xero invoice has nothing
 * due, every credit note is fully settled, and delivering everything again pays nothing twice.
 */
describe('Magento configurations in Xero', () => {
  let w: XeroWorld;
  const ORDERS = Number(process.env.MAGENTO_BOOKS_ORDERS ?? 2200);
  const generated = generateMagentoOrders({ seed: 11, count: ORDERS });
  const rateOf = new Map<string, { code: string; percent: number; taxType: string }[]>();
  let taxTypes = 0;

  /** Each configuration's applied rate combinations, as a merchant maps them to Xero tax types. */
  for (const conf of STORE_CONFIGURATIONS) {
    const combos = new Map<string, number>();
    for (const o of generated.orders.filter((x) => x.configuration === conf.name)) {
      for (const t of o.order.extension_attributes.item_applied_taxes) {
        const code = t.applied_taxes.map((r) => r.code).join(' + ');
        const item = o.order.items.find((i) => i.item_id === t.item_id);
        if (item?.tax_percent) combos.set(code, item.tax_percent);
        else if (t.type === 'shipping' && t.applied_taxes.length === 1 && !combos.has(code))
          combos.set(code, t.applied_taxes[0].percent);
      }
    }
    rateOf.set(
      conf.name,
      [...combos].map(([code, percent]) => ({ code, percent, taxType: `TAX${String(++taxTypes).padStart(3, '0')}` })),
    );
  }

  beforeAll(async () => {
    const taxRates = [...rateOf.values()].flat().map((r) => ({
      TaxType: r.taxType,
      Name: `${r.code} ${r.percent}%`.slice(0, 50),
      Rate: r.percent,
      ReportTaxType: 'OUTPUT',
      CanApplyToRevenue: true,
      CanApplyToExpenses: false,
    }));
    const currencies = [...new Set(STORE_CONFIGURATIONS.map((c) => c.currency))].filter((c) => c !== 'NZD');
    w = await xeroWorld({ timeScale: 60, options: { maxRateWaitMs: 3000 }, org: { currencies, taxRates } });
    await w.sandbox.control.seedAccounts(w.tenantId, [
      { Code: '855', Name: 'Gift Card Liability', Type: 'CURRLIAB', TaxType: 'NONE', EnablePaymentsToAccount: true },
      { Code: '856', Name: 'Store Credit', Type: 'CURRLIAB', TaxType: 'NONE', EnablePaymentsToAccount: true },
    ]);
    for (const [n, conf] of STORE_CONFIGURATIONS.entries()) {
      const storeId = `${w.storeId}-${conf.name}`;
      const d = defaultStoreSettings(storeId);
      const mapping: XeroMappingSettings = {
        ...d.mapping,
        lineAmountTypes: conf.settings.pricesIncludeTax ? 'Inclusive' : 'Exclusive',
        taxRates: [...rateOf.get(conf.name)!, { percent: 0, taxType: 'ZERORATED' }],
        prefixes: { contact: `C${n}-`, invoice: `I${n}-`, creditNote: `N${n}-` },
        tenderAccounts: { giftCards: '855', storeCredit: '856' },
      };
      await w.x.settings.save({ ...d, xeroTenantId: w.tenantId, mapping }, 'test');
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  /** Every event of one configuration's orders (latest content per record), as the syncer would deliver them. */
  function itemsOf(conf: (typeof STORE_CONFIGURATIONS)[number]): DeliveryItem[] {
    const latest = new Map<string, DeliveryItem>();
    const orders = generated.orders.filter((o) => o.configuration === conf.name);
    const events = generated.events.filter(
      (e) =>
        (e.entity !== 'product' || e.entityId.startsWith(conf.name.toUpperCase())) &&
        (e.entity === 'customer' ||
          e.entity === 'product' ||
          orders.some((o) => o.order.entity_id === (e.payload as { order_id?: number; entity_id: number }).order_id) ||
          orders.some((o) => e.entity === 'order' && o.order.entity_id === (e.payload as MagentoOrder).entity_id)),
    );
    for (const e of events)
      latest.set(`${e.entity}:${e.entityId}`, {
        entity: e.entity,
        entityId: e.entityId,
        payload: e.payload,
        eventId: randomUUID(),
      });
    return [...latest.values()];
  }

  it('every invoice and credit note equals its store document in total, tax, lines, day and currency', async () => {
    for (const conf of STORE_CONFIGURATIONS) {
      const storeId = `${w.storeId}-${conf.name}`;
      let pending = itemsOf(conf);
      const final: DeliveryResult[] = [];
      for (let round = 0; round < 10 && pending.length > 0; round++) {
        const results = await deliverToStore(w.x, storeId, pending, { priority: 'backfill' });
        final.push(...results.filter((r) => r.status !== 'deferred' && r.status !== 'waiting'));
        pending = pending.filter((_, i) => results[i].status === 'deferred' || results[i].status === 'waiting');
      }
      expect(pending.map((p) => `${conf.name} ${p.entity} ${p.entityId}`)).toEqual([]);
      const failed = final.filter((r) => r.status === 'failed');
      expect(failed.map((f) => `${conf.name} ${f.entity} ${f.entityId}: ${f.message}`)).toEqual([]);
    }
    const dump = await w.sandbox.control.dump(w.tenantId);
    const problems: string[] = [];
    let invoices = 0;
    let credits = 0;
    let rounding = 0;
    let fullyInvoiced = 0;
    let tendered = 0;
    for (const [n, conf] of STORE_CONFIGURATIONS.entries()) {
      for (const o of generated.orders.filter((x) => x.configuration === conf.name)) {
        const order = o.order as unknown as MagentoOrder;
        const inv = dump.invoices.filter((i) => i.InvoiceNumber === `I${n}-${order.increment_id}`);
        if (inv.length !== 1) {
          problems.push(`${conf.name} order ${order.increment_id}: ${inv.length} invoices`);
          continue;
        }
        invoices++;
        const ext = o.order.extension_attributes;
        const sale = Math.round((order.grand_total + ext.gift_cards_amount + ext.customer_balance_amount) * 100);
        if (Math.round(inv[0].Total * 100) !== sale)
          problems.push(`${conf.name} ${order.increment_id} total ${inv[0].Total}`);
        if (Math.round(inv[0].TotalTax * 100) !== Math.round(order.tax_amount * 100))
          problems.push(`${conf.name} ${order.increment_id} tax ${inv[0].TotalTax} vs ${order.tax_amount}`);
        if (String(inv[0].DateString).slice(0, 10) !== order.created_at.slice(0, 10))
          problems.push(`${conf.name} ${order.increment_id} date ${inv[0].DateString}`);
        if (inv[0].CurrencyCode !== order.order_currency_code)
          problems.push(`${conf.name} ${order.increment_id} currency`);
        const lines = inv[0].LineItems as { AccountCode?: string; LineAmount: number }[];
        for (const l of lines.filter((x) => x.AccountCode === '860')) {
          rounding++;
          if (Math.abs(l.LineAmount) > 0.01)
            problems.push(`${conf.name} ${order.increment_id} rounding ${l.LineAmount}`);
        }
        const invoiced = o.invoices.reduce(
          (acc, i) =>
            acc +
            Math.round(
              (i.grand_total +
                i.extension_attributes.gift_cards_amount +
                i.extension_attributes.customer_balance_amount) *
                100,
            ),
          0,
        );
        if (invoiced === sale && order.state !== 'canceled') {
          fullyInvoiced++;
          if (ext.gift_cards_amount + ext.customer_balance_amount > 0) tendered++;
          if (Math.round(inv[0].AmountDue * 100) !== 0)
            problems.push(`${conf.name} ${order.increment_id} amount due ${inv[0].AmountDue} (${inv[0].Status})`);
        }
        for (const raw of o.creditMemos) {
          const memo = raw as unknown as MagentoCreditMemo;
          const cn = dump.creditNotes.filter((c) => c.CreditNoteNumber === `N${n}-${memo.increment_id}`);
          if (cn.length !== 1) {
            problems.push(`${conf.name} memo ${memo.increment_id}: ${cn.length} credit notes`);
            continue;
          }
          credits++;
          if (Math.round(cn[0].RemainingCredit * 100) !== 0)
            problems.push(`${conf.name} memo ${memo.increment_id} remaining credit ${cn[0].RemainingCredit}`);
          const refund = Math.round(
            (memo.grand_total +
              raw.extension_attributes.gift_cards_amount +
              raw.extension_attributes.customer_balance_amount) *
              100,
          );
          if (Math.round(cn[0].Total * 100) !== refund)
            problems.push(`${conf.name} memo ${memo.increment_id} total ${cn[0].Total}`);
          if (Math.round(cn[0].TotalTax * 100) !== Math.round((memo.tax_amount ?? 0) * 100))
            problems.push(`${conf.name} memo ${memo.increment_id} tax ${cn[0].TotalTax} vs ${memo.tax_amount}`);
        }
      }
    }
    const live = dump.payments.filter((p) => p.Status !== 'DELETED');
    const payments = (d: typeof dump) =>
      d.payments
        .filter((p) => p.Status !== 'DELETED')
        .map((p) => `${p.Invoice?.InvoiceID ?? p.CreditNote?.CreditNoteID} ${p.Reference}`);
    const refs = payments(dump);
    expect(refs.filter((r, i) => refs.indexOf(r) !== i)).toEqual([]);
    expect(live.filter((p) => / (gift card|store credit)$/.test(String(p.Reference))).length).toBeGreaterThan(0);
    expect(problems.slice(0, 20)).toEqual([]);
    expect(tendered).toBeGreaterThan(0);
    // Delivered again (a replay, a backfill): every record is already in Xero and nothing is paid twice.
    for (const conf of STORE_CONFIGURATIONS.slice(0, 2)) {
      const again = await deliverToStore(w.x, `${w.storeId}-${conf.name}`, itemsOf(conf), { priority: 'backfill' });
      expect(
        again
          .filter((r) => r.status !== 'unchanged' && r.action !== 'none')
          .map((r) => `${r.entity} ${r.entityId}: ${r.message}`),
      ).toEqual([]);
    }
    expect(payments(await w.sandbox.control.dump(w.tenantId))).toEqual(refs);
    expect(invoices).toBeGreaterThanOrEqual(Math.min(ORDERS, 2000) * 0.8);
    expect(rounding / invoices).toBeLessThan(0.02);
    const counters = await w.sandbox.control.counters(w.tenantId);
    expect(counters.http429).toBe(0);
    console.log(
      JSON.stringify({
        orders: ORDERS,
        invoices,
        creditNotes: credits,
        roundingLines: rounding,
        fullyInvoiced,
        paidWithTenders: tendered,
        calls: counters.total,
      }),
    );
  }, 1_500_000);
});
