import mongoose from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { SyncLogRepository } from '@xero-sync/persistence';
import { AdminApiUnderTest, startAdminApi } from './admin-api.harness';
import { launchChromium, screenshot, signIn } from './browser';
import { call } from './http-client';

jest.setTimeout(120_000);

const STORE_ID = 'shop-x';
/** Markup that runs script if it is ever parsed as HTML: each sets its own flag. */
const STORE_NAME = `Evil <img src=x onerror="window.__xss_store=1"> & Co`;
const XERO_MESSAGE = `Invalid account <script>window.__xss_log=1</script><img src=x onerror="window.__xss_log=2">`;
const CUSTOMER = `Ana <svg onload="window.__xss_dlq=1"></svg> Lee`;

/**
 * Store-controlled and Xero-controlled text reaches the dashboard: Xero's error messages, store names and
 * customer names (in a dead letter's preview). In Chromium each must render as literal text and run nothing.
 */
describe('dashboard renders HTML in data as text (browser)', () => {
  let api: AdminApiUnderTest;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    api = await startAdminApi();
    const created = await call(api.url, '/stores', {
      method: 'POST',
      key: api.adminKey,
      body: { storeId: STORE_ID, name: STORE_NAME },
    });
    expect(created.status).toBe(201);
    await api.app.get(SyncLogRepository).append([
      {
        storeId: STORE_ID,
        entity: 'order',
        entityId: '100000009',
        action: 'create',
        status: 'error',
        message: XERO_MESSAGE,
        durationMs: 20,
        calls: 1,
        mode: 'immediate',
        attempt: 1,
      },
    ]);
    // Raw insert, as the syncer's DLQ writer stores a poison message (this suite tests the reads).
    const conn = await mongoose.createConnection(api.config.MONGODB_URI).asPromise();
    try {
      await conn.collection('dlq_messages').insertOne({
        sourceTopic: 'store.customer.changed.v1',
        partition: 0,
        offset: '9',
        key: STORE_ID,
        storeId: STORE_ID,
        valueBase64: Buffer.from(JSON.stringify({ firstname: CUSTOMER })).toString('base64'),
        preview: `{"firstname":"${CUSTOMER}"}`,
        headers: [],
        reason: `bad customer ${CUSTOMER}`,
        fieldErrors: [],
        status: 'new',
        requeueCount: 0,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
    } finally {
      await conn.close();
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  /** The flags any injected script would have set (none, if nothing ran). */
  const flags = () =>
    page.evaluate<string[]>("['__xss_store', '__xss_log', '__xss_dlq'].filter((k) => window[k] !== undefined)");

  it('shows a Xero error message carrying HTML and script literally in the log', async () => {
    await signIn(page, api.url, api.adminKey);
    const row = page.locator('#log-grid .ag-row', { hasText: '100000009' });
    await row.waitFor();
    expect(await row.textContent()).toContain(XERO_MESSAGE);
    expect(await row.locator('script, img, svg').count()).toBe(0);
    expect(await flags()).toEqual([]);
  });

  it('shows a store name carrying HTML literally in the store picker and the stores page', async () => {
    await page.click('header nav a[data-page=stores]');
    const cell = page.locator('section[data-section=stores] td', { hasText: 'Evil <img' });
    await cell.waitFor();
    expect(await cell.textContent()).toBe(STORE_NAME);
    expect(await page.locator('select option', { hasText: STORE_NAME }).count()).toBeGreaterThan(0);
    expect(await page.locator('section[data-section=stores] img').count()).toBe(0);
    expect(await flags()).toEqual([]);
  });

  it('shows a customer name carrying HTML literally in a dead letter', async () => {
    await page.click('header nav a[data-page=dlq]');
    const row = page.locator('#dlq-grid .ag-row', { hasText: 'bad customer' });
    await row.waitFor();
    expect(await row.textContent()).toContain(`bad customer ${CUSTOMER}`);
    expect(await row.locator('svg[onload]').count()).toBe(0);
    await screenshot(page, 'xss-dlq');
    expect(await flags()).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
