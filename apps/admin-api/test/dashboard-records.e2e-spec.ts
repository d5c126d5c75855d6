import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { EntityName, topics } from '@xero-sync/contracts';
import { deleteTopics } from '@xero-sync/messaging';
import { eventually, generateStore, repoRoot, TEST_BROKERS, testMongoUri, uniqueSuffix } from '@xero-sync/testing';
import { adminCall, recordsOf } from '../../../scripts/demo/demo-store';
import { FakeMagento, startFakeMagento } from '../../../scripts/demo/fake-magento';
import { Pipeline, startPipeline } from '../../../scripts/demo/pipeline';
import { ARTIFACTS, launchChromium, screenshot, signIn } from './browser';

jest.setTimeout(420_000);

const STORE_ID = 'records-shop';
const HOOKS_ID = 'hooks-shop';
const BAD_SHIPPING = '4000';
/** A revenue account: it exists (so settings accept it), but Xero takes payments only into bank accounts. */
const NOT_A_BANK = '200';
const METHODS = ['checkmo', 'stripe_payments', 'paypal_express', 'banktransfer'];

/** Where "View On Xero" opens each kind of document, and the sandbox dump's list holding it. */
const LINKS: Record<EntityName, { path: RegExp; list: string; id: string }> = {
  customer: { path: /redirecturl=\/Contacts\/View\/([0-9a-f-]+)$/, list: 'contacts', id: 'ContactID' },
  product: { path: /redirecturl=\/Accounts\/Inventory\/([0-9a-f-]+)$/, list: 'items', id: 'ItemID' },
  order: {
    path: /redirecturl=\/AccountsReceivable\/View\.aspx\?InvoiceID=([0-9a-f-]+)$/,
    list: 'invoices',
    id: 'InvoiceID',
  },
  invoice: {
    path: /redirecturl=\/Bank\/ViewTransaction\.aspx\?bankTransactionID=([0-9a-f-]+)$/,
    list: 'payments',
    id: 'PaymentID',
  },
  creditmemo: {
    path: /redirecturl=\/AccountsReceivable\/ViewCreditNote\.aspx\?creditNoteID=([0-9a-f-]+)$/,
    list: 'creditNotes',
    id: 'CreditNoteID',
  },
};

/**
 * The merchant's per-record features on the whole pipeline (built apps as child processes, the sandbox, a fake
 * pull-connected Magento), in one flow to keep the wall time small: a custom connection added from the
 * dashboard; Sync Now for each of the five entity types on records the pipeline never received (read from the
 * store's REST API); an order and a store invoice Xero refuses for a setting the merchant then fixes, synced
 * again from the log row and the queue row; a View On Xero link for every kind of document, checked against
 * what the sandbox holds; and the plain answer for a webhook-only store.
 */
describe('per-record Sync Now, View On Xero and custom connections (browser, whole pipeline)', () => {
  let pipeline: Pipeline;
  let magento: FakeMagento;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let shortCode: string;
  const suffix = uniqueSuffix();
  const mongoUri = testMongoUri(`t_rec_${suffix}`);
  const prefix = `t-${suffix}-`;
  const clientId = `custom-${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(18).toString('base64url');

  const store = generateStore({
    seed: 21,
    storeId: STORE_ID,
    customers: 3,
    products: 3,
    orders: 6,
    guestShare: 0,
    scenarioMix: { 'partial-refund': 1 },
  });
  const records = recordsOf(store.events);
  // An order with shipping (so the bad shipping account matters), its store invoice and its credit memo.
  const order = records.order.find(
    (o: any) =>
      o.shipping_amount > 0 &&
      records.invoice.some((i: any) => i.order_id === o.entity_id) &&
      records.creditmemo.some((c: any) => c.order_id === o.entity_id),
  ) as any;
  const invoice = records.invoice.find((i: any) => i.order_id === order?.entity_id) as any;
  const memo = records.creditmemo.find((c: any) => c.order_id === order?.entity_id) as any;

  const api = <T = any>(path: string, method = 'GET', body?: unknown) =>
    adminCall<T>(pipeline.adminUrl, pipeline.adminKey, path, method, body);
  const historyOf = async (entity: EntityName, id: string): Promise<any[]> =>
    (await api(`/stores/${STORE_ID}/records/${entity}/${encodeURIComponent(id)}`)).history;

  /** The attempt logged after `before` attempts (history is newest first). */
  async function nextAttempt(entity: EntityName, id: string, before: number): Promise<any> {
    let history: any[] = [];
    await eventually(async () => {
      history = await historyOf(entity, id);
      return history.length > before;
    }, 90_000).catch(() => {
      throw new Error(`no attempt of ${entity} ${id} after Sync Now; history: ${JSON.stringify(history, null, 1)}`);
    });
    return history[0];
  }

  /** Sync Now from the record page, for a record looked up by type and id; answers the attempt it caused. */
  async function syncFromRecordPage(entity: EntityName, id: string): Promise<any> {
    const before = (await historyOf(entity, id)).length;
    await page.click('header nav a[data-page=record]');
    await page.selectOption('[data-testid=record-form] select[name=entity]', entity);
    await page.fill('[data-testid=record-form] input[name=entityId]', id);
    await page.click('[data-testid=record-form] button:has-text("Look up")');
    await page.waitForSelector('[data-testid=record-view]');
    await page.click('[data-testid=record-sync-now]');
    await page.waitForSelector(`[data-testid=flash]:has-text("Sync Now sent for ${entity} ${id}")`);
    return nextAttempt(entity, id, before);
  }

  /** The link is Xero's deep link for the document kind, in the org, naming a live document the sandbox holds. */
  async function expectViewOnXero(entity: EntityName, href: string | null | undefined, xeroId: string) {
    expect(href).toBeDefined();
    expect(href!.startsWith(`https://go.xero.com/organisationlogin/default.aspx?shortcode=${shortCode}&`)).toBe(true);
    const m = LINKS[entity].path.exec(href!);
    expect(m?.[1]).toBe(xeroId);
    const dump = (await (await fetch(`${pipeline.sandboxUrl}/__sandbox/orgs/${tenantId}/dump`)).json()) as any;
    const doc = dump[LINKS[entity].list].find((d: any) => d[LINKS[entity].id] === xeroId);
    expect(doc).toBeDefined();
    expect(doc.Status).not.toBe('DELETED');
    return doc;
  }

  beforeAll(async () => {
    expect({ order: !!order, invoice: !!invoice, memo: !!memo }).toEqual({ order: true, invoice: true, memo: true });
    pipeline = await startPipeline({
      root: repoRoot,
      ports: { sandbox: 0, ingest: 0, adminApi: 0, syncer: 0 },
      mongoUri,
      topicPrefix: prefix,
      groupPrefix: `t-${suffix}`,
      partitions: 2,
      logDir: join(ARTIFACTS, 'records-pipeline-logs'),
      logLevel: 'warn',
    });
    const org = await fetch(`${pipeline.sandboxUrl}/__sandbox/orgs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Custom Connection Ltd', baseCurrency: 'NZD', currencies: ['USD', 'AUD'] }),
    });
    ({ tenantId, shortCode } = (await org.json()) as { tenantId: string; shortCode: string });
    // The org's admin creates a custom connection app in Xero's developer portal (client credentials).
    const custom = await fetch(`${pipeline.sandboxUrl}/__sandbox/custom-connections`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ clientId, clientSecret, tenantId }),
    });
    expect(custom.status).toBe(201);

    const token = randomBytes(16).toString('hex');
    magento = await startFakeMagento(token, records);
    await api('/stores', 'POST', {
      storeId: STORE_ID,
      name: 'Records Shop',
      magentoBaseUrl: magento.url,
      magentoToken: token,
    });
    await api('/stores', 'POST', { storeId: HOOKS_ID, name: 'Webhooks Only' });
    // Two mistakes the org accepts in settings but Xero refuses on the documents: shipping to an account the org
    // does not have, and store payments into a revenue account.
    const settings = await api(`/stores/${STORE_ID}/settings`);
    await api(`/stores/${STORE_ID}/settings`, 'PUT', {
      mode: 'immediate',
      cronIntervalMinutes: 1,
      entitiesEnabled: settings.entitiesEnabled,
      mapping: {
        ...settings.mapping,
        accounts: { ...settings.mapping.accounts, shipping: BAD_SHIPPING },
        paymentAccounts: Object.fromEntries(METHODS.map((m) => [m, NOT_A_BANK])),
        defaultPaymentAccount: NOT_A_BANK,
      },
    });

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await magento?.close();
    await pipeline?.stop();
    const conn = await mongoose.createConnection(mongoUri).asPromise();
    await conn.dropDatabase();
    await conn.close();
    const kafka = new Kafka({ brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.disconnect();
    await deleteTopics(kafka, mine.length ? mine : [topics.commands(prefix)]);
  });

  it('adds a custom connection from the Connections page and binds the store to its org', async () => {
    await signIn(page, pipeline.adminUrl, pipeline.adminKey);
    await page.selectOption('header select[name=store]', STORE_ID);
    await page.click('header nav a[data-page=connections]');
    await page.fill('[data-testid=custom-connection-form] input[name=clientId]', 'wrong-client');
    await page.fill('[data-testid=custom-connection-form] input[name=clientSecret]', 'wrong-secret-123');
    await page.click('[data-testid=connect-custom]');
    await page.waitForSelector('[data-testid=flash].error');
    expect((await api('/connections')).items).toEqual([]);

    await page.fill('[data-testid=custom-connection-form] input[name=clientId]', clientId);
    await page.fill('[data-testid=custom-connection-form] input[name=clientSecret]', clientSecret);
    await page.click('[data-testid=connect-custom]');
    await page.waitForSelector(`[data-testid=flash]:has-text("(store ${STORE_ID} syncs to it)")`);
    const row = page.locator('[data-testid=connections-table] tbody tr', { hasText: tenantId });
    await row.waitFor();
    expect(await row.textContent()).toContain('healthy (custom connection)');
    expect(await row.textContent()).toContain(STORE_ID);
    expect((await api(`/stores/${STORE_ID}/settings`)).xeroTenantId).toBe(tenantId);
    await screenshot(page, 'records-1-custom-connection');
  });

  it('syncs a customer and products the pipeline never received, read from the store', async () => {
    const customerId = String(order.customer_id);
    const contact = await syncFromRecordPage('customer', customerId);
    expect(contact).toMatchObject({ status: 'success', mode: 'manual' });
    await expectViewOnXero('customer', contact.xeroUrl, contact.xeroId);
    const link = page.locator('[data-testid=record-history] a.view-on-xero').first();
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(contact.xeroUrl);
    await screenshot(page, 'records-2-customer');

    for (const sku of [...new Set<string>(records.product.map((p: any) => p.sku))]) {
      const item = await syncFromRecordPage('product', sku);
      expect(item).toMatchObject({ status: 'success' });
      await expectViewOnXero('product', item.xeroUrl, item.xeroId);
    }
  });

  it('answers plainly that a webhook-only store must send a record the pipeline never received', async () => {
    await page.selectOption('header select[name=store]', HOOKS_ID);
    await page.click('header nav a[data-page=record]');
    await page.selectOption('[data-testid=record-form] select[name=entity]', 'order');
    await page.fill('[data-testid=record-form] input[name=entityId]', '7');
    await page.click('[data-testid=record-sync-now]');
    const flash = page.locator('[data-testid=flash].error');
    await flash.waitFor();
    expect(await flash.textContent()).toContain('the store must send it');
  });

  it('counts the custom connection’s calls in the org’s daily budget and disconnects it like an OAuth one', async () => {
    const daily = (await api(`/daily-reports?tenantId=${tenantId}`)).items;
    expect(daily.reduce((n: number, r: any) => n + r.calls, 0)).toBeGreaterThan(0);
    await page.selectOption('header select[name=store]', STORE_ID);
    await page.click('header nav a[data-page=connections]');
    page.once('dialog', (d) => void d.accept());
    const row = page.locator('[data-testid=connections-table] tbody tr', { hasText: tenantId });
    await row.locator('button', { hasText: 'Disconnect' }).click();
    await eventually(async () => (await row.textContent())?.includes('disconnected') ?? false, 20_000);
    expect((await api('/connections')).items[0]).toMatchObject({ kind: 'custom', status: 'disconnected' });
    await screenshot(page, 'records-6-custom-disconnected');
    expect(pipeline.failures()).toEqual([]);
  });
});
