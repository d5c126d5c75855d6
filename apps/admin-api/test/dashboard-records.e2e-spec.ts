import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { EntityName, topics } from '@xero-sync/contracts';
import { deleteTopics } from '@xero-sync/messaging';
import {
  eventually,
  generateStore,
  repoRoot,
  SandboxControl,
  TEST_BROKERS,
  testMongoUri,
  uniqueSuffix,
} from '@xero-sync/testing';
import { adminCall, recordsOf } from '../../../scripts/demo/demo-store';
import { FakeMagento, startFakeMagento } from '../../../scripts/demo/fake-magento';
import { Pipeline, startPipeline } from '../../../scripts/demo/pipeline';
import { ARTIFACTS, launchChromium, screenshot, signIn } from './browser';

jest.setTimeout(420_000);

const STORE_ID = 'records-shop';
const HOOKS_ID = 'hooks-shop';
/** A store created webhook-only and connected to its Magento REST API afterwards; the pipeline never saw its records. */
const PULL_ID = 'pull-shop';
/**
 * A product of the pull-connected store as Magento 2 answers `GET /rest/V1/products/{sku}` (a SKU with a space, so
 * the path is encoded).
 */
const STORE_PRODUCT = {
  id: 2048,
  sku: 'MUG-350 BLUE',
  name: 'Harbour Enamel Mug 350 ml, Blue',
  attribute_set_id: 4,
  price: 24.95,
  status: 1,
  visibility: 4,
  type_id: 'simple',
  created_at: '2026-11-30 09:12:44',
  updated_at: '2026-12-01 16:03:10',
  weight: 0.4,
  extension_attributes: {
    website_ids: [1],
    category_links: [{ position: 0, category_id: '5' }],
    stock_item: { item_id: 2048, product_id: 2048, stock_id: 1, qty: 120, is_in_stock: true },
  },
  product_links: [],
  options: [],
  media_gallery_entries: [],
  tier_prices: [],
  custom_attributes: [
    { attribute_code: 'description', value: '<p>Enamelled steel mug with a rolled rim.</p>' },
    { attribute_code: 'url_key', value: 'harbour-enamel-mug-350-blue' },
    { attribute_code: 'tax_class_id', value: '2' },
  ],
};
/** A revenue account: it exists (so settings accept it), but Xero takes payments only into bank accounts. */
const NOT_A_BANK = '200';
const METHODS = ['checkmo', 'stripe_payments', 'paypal_express', 'banktransfer'];
/**
 * Accounts the merchant maps products' sales, shipping and credit-memo adjustments to. They exist when the settings
 * are saved; the bookkeeper archives each one in Xero just before its entity type syncs, so Xero refuses it there.
 */
const ARCHIVED = { sales: '205', shipping: '215', adjustments: '265' } as const;
/** The numbering the bookkeeper's own contacts use in Xero: a contact prefix the store must not take. */
const TAKEN_PREFIX = 'C';

/** One of the accounts above as the sandbox seeds it (revenue accounts with GST on income). */
function chartAccount(code: string) {
  const name =
    { [ARCHIVED.sales]: 'Online Sales', [ARCHIVED.shipping]: 'Courier Income' }[code] ?? 'Refund Adjustments';
  return { Code: code, Name: name, Type: 'REVENUE', TaxType: 'OUTPUT2' };
}

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
 * store's REST API); for each type a record Xero refuses for a cause the merchant fixes on the settings page
 * (a contact number another Xero contact holds, an archived sales, shipping or adjustments account, a payment
 * account that is not a bank account), then synced from its log or queue row; a View On Xero link for every kind
 * of document, checked against what the sandbox holds; and the plain answer for a webhook-only store. The types go
 * in dependency order (a failed contact or item would make its orders wait, not fail), so each failure is its own.
 */
describe('per-record Sync Now, View On Xero and custom connections (browser, whole pipeline)', () => {
  let pipeline: Pipeline;
  let magento: FakeMagento;
  /** The pull-connected store's Magento, and every request it was sent (`<authorization> <method> <path>`). */
  let pullStore: Server;
  const pullStoreAsked: string[] = [];
  const pullToken = randomBytes(16).toString('hex');
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
  // An order with shipping (so the shipping account matters), its store invoice and its credit memo, which has an
  // adjustment (so the adjustments account matters).
  const order = records.order.find(
    (o: any) =>
      o.shipping_amount > 0 &&
      records.invoice.some((i: any) => i.order_id === o.entity_id) &&
      records.creditmemo.some(
        (c: any) => c.order_id === o.entity_id && (c.adjustment_positive > 0 || c.adjustment_negative > 0),
      ),
  ) as any;
  const invoice = records.invoice.find((i: any) => i.order_id === order?.entity_id) as any;
  const memo = records.creditmemo.find(
    (c: any) => c.order_id === order?.entity_id && (c.adjustment_positive > 0 || c.adjustment_negative > 0),
  ) as any;

  /** admin-api as the dashboard calls it; a non-2xx answer throws (a refused settings save must not pass silently). */
  const api = <T = any>(path: string, method = 'GET', body?: unknown) =>
    adminCall<T>(pipeline.adminUrl, pipeline.adminKey, path, method, body);
  /** The sandbox's control API; a non-2xx answer throws. */
  const sandbox = () => new SandboxControl(pipeline.sandboxUrl);
  const historyOf = async (entity: EntityName, id: string): Promise<any[]> =>
    (await api(`/stores/${STORE_ID}/records/${entity}/${encodeURIComponent(id)}`)).history;

  /** The first attempt logged after the record's first `before` rows (the API answers its history oldest first). */
  async function nextAttempt(entity: EntityName, id: string, before: number): Promise<any> {
    let history: any[] = [];
    await eventually(async () => {
      history = await historyOf(entity, id);
      return history.length > before;
    }, 90_000).catch(() => {
      throw new Error(`no attempt of ${entity} ${id} after Sync Now; history: ${JSON.stringify(history, null, 1)}`);
    });
    return history[before];
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

  /** Sync Now on the record's Log row that shows Xero's refusal (`shown`) as an error; answers the attempt it caused. */
  async function syncFromLogRow(entity: EntityName, id: string, shown: string): Promise<any> {
    const before = (await historyOf(entity, id)).length;
    await page.click('header nav a[data-page=log]');
    const row = page
      .locator('#log-grid .ag-row', { has: page.locator(`[col-id=entityId]:text-is("${id}")`) })
      .filter({ has: page.locator(`[col-id=entity]:text-is("${entity}")`) })
      .filter({ has: page.locator('[col-id=status]', { hasText: 'error' }) })
      .filter({ has: page.locator('[col-id=message]', { hasText: shown }) })
      .first();
    await row.waitFor();
    await row.locator('button', { hasText: 'Sync Now' }).click();
    await page.waitForSelector(`[data-testid=flash]:has-text("Sync Now sent for ${entity} ${id}")`);
    return nextAttempt(entity, id, before);
  }

  /** The merchant corrects settings on the Settings page (`fields`: input selector → value) and saves. */
  async function fixSettings(fields: Record<string, string>): Promise<void> {
    await page.click('header nav a[data-page=settings]');
    for (const [selector, value] of Object.entries(fields)) {
      const input = page.locator(selector);
      await input.waitFor();
      await input.fill(value);
    }
    await page.click('[data-testid=save-settings]');
    await page.waitForSelector('[data-testid=flash]:has-text("Settings saved")');
  }

  /** The bookkeeper archives an account in Xero (it stays in the chart; Xero refuses it on new documents). */
  async function archiveAccount(code: string): Promise<void> {
    await sandbox().seedAccounts(tenantId, [{ ...chartAccount(code), Status: 'ARCHIVED' }]);
  }

  /** Xero's own API as another app the org uses (its own custom connection): the bookkeeper's entries. */
  async function xeroApi(path: string, body: unknown): Promise<any> {
    const id = `books-${randomBytes(4).toString('hex')}`;
    const secret = randomBytes(12).toString('hex');
    await sandbox().addCustomConnection(id, secret, tenantId);
    const tok = await fetch(`${pipeline.sandboxUrl}/connect/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    if (!tok.ok) throw new Error(`Xero token: HTTP ${tok.status} ${await tok.text()}`);
    const { access_token } = (await tok.json()) as { access_token: string };
    const res = await fetch(`${pipeline.sandboxUrl}/api.xro/2.0${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${access_token}`,
        'Xero-Tenant-Id': tenantId,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(`Xero ${path}: HTTP ${res.status} ${JSON.stringify(answer).slice(0, 400)}`);
    return answer;
  }

  /** The link is Xero's deep link for the document kind, in the org, naming a live document the sandbox holds. */
  async function expectViewOnXero(entity: EntityName, href: string | null | undefined, xeroId: string) {
    expect(href).toBeDefined();
    expect(href!.startsWith(`https://go.xero.com/organisationlogin/default.aspx?shortcode=${shortCode}&`)).toBe(true);
    const m = LINKS[entity].path.exec(href!);
    expect(m?.[1]).toBe(xeroId);
    const dump = (await sandbox().dump(tenantId)) as any;
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
    ({ tenantId, shortCode } = await sandbox().createOrg({
      name: 'Custom Connection Ltd',
      baseCurrency: 'NZD',
      currencies: ['USD', 'AUD'],
    }));
    await sandbox().seedAccounts(tenantId, Object.values(ARCHIVED).map(chartAccount));
    // The org's admin creates a custom connection app in Xero's developer portal (client credentials).
    await sandbox().addCustomConnection(clientId, clientSecret, tenantId);

    const token = randomBytes(16).toString('hex');
    magento = await startFakeMagento(token, records);
    await api('/stores', 'POST', {
      storeId: STORE_ID,
      name: 'Records Shop',
      magentoBaseUrl: magento.url,
      magentoToken: token,
    });
    await api('/stores', 'POST', { storeId: HOOKS_ID, name: 'Webhooks Only' });
    // The pull-connected store's Magento holds one product; it checks the integration token like Magento does.
    pullStore = createServer((req, res) => {
      pullStoreAsked.push(`${req.headers.authorization} ${req.method} ${req.url}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${pullToken}`)
        return send(401, { message: "The consumer isn't authorized to access %resources." });
      if (req.method === 'GET' && req.url === `/rest/V1/products/${encodeURIComponent(STORE_PRODUCT.sku)}`)
        return send(200, STORE_PRODUCT);
      send(404, { message: "The product that was requested doesn't exist. Verify the product and try again." });
    });
    await new Promise<void>((resolve) => pullStore.listen(0, '127.0.0.1', resolve));
    await api('/stores', 'POST', { storeId: PULL_ID, name: 'Pull Shop' });
    await api(`/stores/${PULL_ID}/magento`, 'PUT', {
      magentoBaseUrl: `http://127.0.0.1:${(pullStore.address() as AddressInfo).port}`,
      magentoToken: pullToken,
    });
    // Settings Xero refuses only later: accounts the bookkeeper will archive, and store payments into a revenue
    // account (it exists, so the settings check accepts it; Xero takes payments only into bank accounts).
    const settings = await api(`/stores/${STORE_ID}/settings`);
    await api(`/stores/${STORE_ID}/settings`, 'PUT', {
      mode: 'immediate',
      cronIntervalMinutes: 1,
      entitiesEnabled: settings.entitiesEnabled,
      mapping: {
        ...settings.mapping,
        accounts: { ...settings.mapping.accounts, ...ARCHIVED },
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
    if (pullStore) await new Promise((resolve) => pullStore.close(resolve));
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

  it('Sync Now on the Record page fetches a product the pipeline never saw from the pull-connected store and syncs it into Xero', async () => {
    await api(`/stores/${PULL_ID}/xero-tenant`, 'PUT', { tenantId });
    const { sku } = STORE_PRODUCT;
    const recordPath = `/stores/${PULL_ID}/records/product/${encodeURIComponent(sku)}`;
    expect(await api(recordPath)).toMatchObject({ queue: null, history: [] });

    await page.selectOption('header select[name=store]', PULL_ID);
    await page.click('header nav a[data-page=record]');
    await page.selectOption('[data-testid=record-form] select[name=entity]', 'product');
    await page.fill('[data-testid=record-form] input[name=entityId]', sku);
    await page.click('[data-testid=record-form] button:has-text("Look up")');
    await page.waitForSelector('[data-testid=record-view]:has-text("The pipeline has no copy of this record yet")');
    await page.click('[data-testid=record-sync-now]');
    await page.waitForSelector(
      `[data-testid=flash]:has-text("Sync Now sent for product ${sku} (read from the store)")`,
    );

    let history: any[] = [];
    await eventually(async () => {
      history = (await api(recordPath)).history;
      return history.length > 0;
    }, 30_000).catch(() => {
      throw new Error(`no attempt of product ${sku} after Sync Now; log: ${pipeline.failures().join('\n')}`);
    });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ status: 'success', mode: 'manual' });
    // The store was asked once, for exactly that product, with its integration token.
    expect(pullStoreAsked).toEqual([`Bearer ${pullToken} GET /rest/V1/products/MUG-350%20BLUE`]);

    // The Record page's history shows the success with its View On Xero link to the item the sandbox's org holds.
    const row = page.locator('[data-testid=record-history] tbody tr', { has: page.locator('.status-success') });
    await row.waitFor({ timeout: 15_000 });
    const href = await row.locator('a.view-on-xero').getAttribute('href');
    expect(href).toBe(history[0].xeroUrl);
    // Synced, the record has no next attempt to show (the queue's Date(0) is not a time).
    await page.waitForSelector('[data-testid=record-state] .status-synced');
    expect(await page.locator('[data-testid=record-state] span.muted').isVisible()).toBe(false);
    const item = await expectViewOnXero('product', href, history[0].xeroId);
    const { mapping } = await api(`/stores/${PULL_ID}/settings`);
    expect({
      Code: item.Code,
      Name: item.Name,
      Description: item.Description,
      IsSold: item.IsSold,
      UnitPrice: item.SalesDetails?.UnitPrice,
      AccountCode: item.SalesDetails?.AccountCode,
    }).toEqual({
      Code: sku,
      Name: STORE_PRODUCT.name,
      Description: STORE_PRODUCT.name,
      IsSold: true,
      UnitPrice: STORE_PRODUCT.price,
      AccountCode: mapping.accounts.sales,
    });
    await screenshot(page, 'records-1b-fetched-from-store');
    await page.selectOption('header select[name=store]', STORE_ID);
  });

  it('customer: synced from the store, refused for a contact number another contact holds, fixed, synced from its log row', async () => {
    const customerId = String(order.customer_id);
    const contact = await syncFromRecordPage('customer', customerId);
    expect(contact).toMatchObject({ status: 'success', mode: 'manual' });
    await expectViewOnXero('customer', contact.xeroUrl, contact.xeroId);
    const link = page.locator('[data-testid=record-history] a.view-on-xero').first();
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(contact.xeroUrl);
    await screenshot(page, 'records-2-customer');

    // The bookkeeper numbers their own contacts C<n>; the merchant then takes that prefix for the store's contacts.
    await xeroApi('/Contacts', {
      Contacts: [{ Name: 'Harbour Freight Ltd', ContactNumber: `${TAKEN_PREFIX}${customerId}` }],
    });
    await fixSettings({ 'input[x-model="settings.mapping.prefixes.contact"]': TAKEN_PREFIX });
    const failed = await syncFromRecordPage('customer', customerId);
    expect(failed).toMatchObject({ status: 'error' });
    expect(failed.message).toContain(
      `The contact number ${TAKEN_PREFIX}${customerId} is already assigned to another contact`,
    );

    await fixSettings({ 'input[x-model="settings.mapping.prefixes.contact"]': 'MC-' });
    const synced = await syncFromLogRow('customer', customerId, failed.message);
    expect({ status: synced.status, message: synced.message }).toEqual({
      status: 'success',
      message: expect.stringMatching(/^OK/),
    });
    expect(synced.xeroId).toBe(contact.xeroId);
    const row = page.locator(`#log-grid a.view-on-xero[href="${synced.xeroUrl}"]`).first();
    await row.waitFor({ timeout: 30_000 });
    const doc = await expectViewOnXero('customer', await row.getAttribute('href'), contact.xeroId);
    expect(doc.ContactNumber).toBe(`MC-${customerId}`);
  });

  it('product: refused for an archived sales account, fixed, synced from its log row; the others read from the store', async () => {
    const [first, ...rest] = [...new Set<string>(records.product.map((p: any) => p.sku))];
    await archiveAccount(ARCHIVED.sales);
    const failed = await syncFromRecordPage('product', first);
    expect(failed).toMatchObject({ status: 'error' });
    expect(failed.message).toContain(`Account code '${ARCHIVED.sales}'`);

    await fixSettings({ 'input[name="accounts.sales"]': '200' });
    const synced = await syncFromLogRow('product', first, failed.message);
    expect({ status: synced.status, message: synced.message }).toEqual({
      status: 'success',
      message: expect.stringMatching(/^OK/),
    });
    const link = page.locator(`#log-grid a.view-on-xero[href="${synced.xeroUrl}"]`).first();
    await link.waitFor({ timeout: 30_000 });
    const item = await expectViewOnXero('product', await link.getAttribute('href'), synced.xeroId);
    expect({ code: item.Code, account: item.SalesDetails?.AccountCode }).toEqual({ code: first, account: '200' });
    await screenshot(page, 'records-3-product-synced');

    for (const sku of rest) {
      const other = await syncFromRecordPage('product', sku);
      expect(other).toMatchObject({ status: 'success' });
      await expectViewOnXero('product', other.xeroUrl, other.xeroId);
    }
  });

  it('order: refused for an archived shipping account, fixed, synced from its log row', async () => {
    const orderId = String(order.entity_id);
    await archiveAccount(ARCHIVED.shipping);
    const failed = await syncFromRecordPage('order', orderId);
    expect(failed).toMatchObject({ status: 'error' });
    expect(failed.message).toContain(`Account code '${ARCHIVED.shipping}'`);

    await fixSettings({ 'input[name="accounts.shipping"]': '210' });
    const synced = await syncFromLogRow('order', orderId, failed.message);
    expect({ status: synced.status, message: synced.message }).toEqual({
      status: 'success',
      message: expect.stringMatching(/^OK/),
    });
    const link = page.locator(`#log-grid a.view-on-xero[href="${synced.xeroUrl}"]`).first();
    await link.waitFor({ timeout: 30_000 });
    const doc = await expectViewOnXero('order', await link.getAttribute('href'), synced.xeroId);
    expect(doc.LineItems.some((l: any) => l.AccountCode === '210')).toBe(true);
    await screenshot(page, 'records-4-order-synced');
  });

  it('store invoice: its payment refused for a revenue account, fixed, synced from its queue row', async () => {
    const invoiceId = String(invoice.entity_id);
    const failed = await syncFromRecordPage('invoice', invoiceId);
    expect(failed).toMatchObject({ status: 'error' });
    expect(failed.message).toContain(`Account ${NOT_A_BANK} cannot be used for payments`);

    await fixSettings({
      [`input[name="paymentAccounts.${invoice.payment_method ?? order.payment?.method}"]`]: '090',
      'input[name=defaultPaymentAccount]': '091',
    });

    const before = (await historyOf('invoice', invoiceId)).length;
    await page.click('header nav a[data-page=queue]');
    // The queue row shows the record failed, with Xero's refusal as the reason.
    const row = page
      .locator('#queue-grid .ag-row', { has: page.locator(`[col-id=entityId]:text-is("${invoiceId}")`) })
      .filter({ has: page.locator('[col-id=entity]:text-is("invoice")') })
      .filter({ has: page.locator('[col-id=status]', { hasText: 'failed' }) })
      .filter({ has: page.locator('[col-id=reason]', { hasText: failed.message }) });
    await row.waitFor();
    await row.locator('button', { hasText: 'Sync Now' }).click();
    await page.waitForSelector(`[data-testid=flash]:has-text("Sync Now sent for invoice ${invoiceId}")`);
    const synced = await nextAttempt('invoice', invoiceId, before);
    expect({ status: synced.status, action: synced.action, message: synced.message }).toEqual({
      status: 'success',
      action: 'payment',
      message: expect.any(String),
    });
    const payment = await expectViewOnXero('invoice', synced.xeroUrl, synced.xeroId);
    expect(payment.Reference).toBe(invoice.increment_id);
    // Synced, it leaves the queue; its Log row links the payment.
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    await page.click('header nav a[data-page=log]');
    const logged = page.locator(`#log-grid a.view-on-xero[href="${synced.xeroUrl}"]`).first();
    await logged.waitFor({ timeout: 30_000 });

    // The record page links the payment too (from the queue's Xero id). Its look-up answers late here (a slow
    // network): Sync Now, pressed before that answer, keeps its message once the answer arrives.
    let slow = 0;
    const recordUrl = `**/stores/${STORE_ID}/records/invoice/${invoiceId}`;
    await page.route(recordUrl, async (route) => {
      slow++;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
      slow--;
    });
    await syncFromRecordPage('invoice', invoiceId);
    await eventually(async () => slow === 0, 10_000);
    await page.unroute(recordUrl);
    await page.waitForTimeout(200);
    expect(await page.locator('[data-testid=flash]').textContent()).toContain(`Sync Now sent for invoice ${invoiceId}`);
    const state = page.locator('[data-testid=record-state] a.view-on-xero');
    await state.waitFor();
    await expectViewOnXero('invoice', await state.getAttribute('href'), synced.xeroId);
    await screenshot(page, 'records-5-payment');
  });

  it('credit memo: refused for an archived adjustments account, fixed, synced from its log row', async () => {
    const memoId = String(memo.entity_id);
    await archiveAccount(ARCHIVED.adjustments);
    const failed = await syncFromRecordPage('creditmemo', memoId);
    expect(failed).toMatchObject({ status: 'error' });
    expect(failed.message).toContain(`Account code '${ARCHIVED.adjustments}'`);

    await fixSettings({ 'input[name="accounts.adjustments"]': '200' });
    const synced = await syncFromLogRow('creditmemo', memoId, failed.message);
    expect({ status: synced.status, message: synced.message }).toEqual({
      status: 'success',
      message: expect.stringMatching(/^OK/),
    });
    const link = page.locator(`#log-grid a.view-on-xero[href="${synced.xeroUrl}"]`).first();
    await link.waitFor({ timeout: 30_000 });
    const note = await expectViewOnXero('creditmemo', await link.getAttribute('href'), synced.xeroId);
    expect(note.Total).toBeCloseTo(memo.grand_total, 2);
    expect(note.LineItems.some((l: any) => /^Adjustment/.test(l.Description) && l.AccountCode === '200')).toBe(true);
    await screenshot(page, 'records-6-credit-note');
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
    await screenshot(page, 'records-7-custom-disconnected');
    expect(pipeline.failures()).toEqual([]);
  });
});
