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
 * tax, each item's tax, day and currency; rounding lines stay rare and a cent at most.
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
    for (const [n, conf] of STORE_CONFIGURATIONS.entries()) {
      const storeId = `${w.storeId}-${conf.name}`;
      const d = defaultStoreSettings(storeId);
      const mapping: XeroMappingSettings = {
        ...d.mapping,
        lineAmountTypes: conf.settings.pricesIncludeTax ? 'Inclusive' : 'Exclusive',
        taxRates: [...rateOf.get(conf.name)!, { percent: 0, taxType: 'ZERORATED' }],
        prefixes: { contact: `C${n}-`, invoice: `I${n}-`, creditNote: `N${n}-` },
      };
      await w.x.settings.save({ ...d, xeroTenantId: w.tenantId, mapping }, 'test');
    }
  });
  afterAll(async () => {
    await w?.close();
  });

  it('every invoice and credit note equals its store document in total, tax, lines, day and currency', async () => {
    for (const conf of STORE_CONFIGURATIONS) {
      const storeId = `${w.storeId}-${conf.name}`;
      const latest = new Map<string, DeliveryItem>();
      const orders = generated.orders.filter((o) => o.configuration === conf.name);
      const events = generated.events.filter(
        (e) =>
          (e.entity !== 'product' || e.entityId.startsWith(conf.name.toUpperCase())) &&
          (e.entity === 'customer' ||
            e.entity === 'product' ||
            orders.some(
              (o) => o.order.entity_id === (e.payload as { order_id?: number; entity_id: number }).order_id,
            ) ||
            orders.some((o) => e.entity === 'order' && o.order.entity_id === (e.payload as MagentoOrder).entity_id)),
      );
      for (const e of events)
        latest.set(`${e.entity}:${e.entityId}`, {
          entity: e.entity,
          entityId: e.entityId,
          payload: e.payload,
          eventId: randomUUID(),
        });
      let pending = [...latest.values()];
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
        for (const raw of o.creditMemos) {
          const memo = raw as unknown as MagentoCreditMemo;
          const cn = dump.creditNotes.filter((c) => c.CreditNoteNumber === `N${n}-${memo.increment_id}`);
          if (cn.length !== 1) {
            problems.push(`${conf.name} memo ${memo.increment_id}: ${cn.length} credit notes`);
            continue;
          }
          credits++;
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
    expect(problems.slice(0, 20)).toEqual([]);
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
        calls: counters.total,
      }),
    );
  }, 1_500_000);
});
