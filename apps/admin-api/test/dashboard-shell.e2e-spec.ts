import type { Browser, Page } from 'playwright-core';
import { PendingChangeRepository, SyncLogRepository } from '@xero-sync/persistence';
import { AdminApiUnderTest, readCommands, startAdminApi } from './admin-api.harness';
import { launchChromium, screenshot, signIn } from './browser';
import { call } from './http-client';

jest.setTimeout(120_000);

/** The dashboard in Chromium against admin-api alone: sign-in, navigation, lists, forms and Sync Now. */
describe('dashboard shell (browser)', () => {
  let api: AdminApiUnderTest;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    api = await startAdminApi();
    await call(api.url, '/stores', {
      method: 'POST',
      key: api.adminKey,
      body: { storeId: 'shop-b', name: 'Browser Shop' },
    });
    await api.app.get(SyncLogRepository).append([
      {
        storeId: 'shop-b',
        entity: 'order',
        entityId: '100000001',
        action: 'create',
        status: 'error',
        message: 'Account code 4000 is not a valid code for this document.',
        durationMs: 20,
        calls: 1,
        mode: 'immediate',
        attempt: 1,
      },
    ]);
    // The pipeline's copy of the record, which Sync Now sends again (a record it never saw is read from the store).
    await api.app.get(PendingChangeRepository).saveLatest(
      {
        storeId: 'shop-b',
        entity: 'order',
        entityId: '100000001',
        rank: 1,
        eventId: 'e-shell-1',
        occurredAt: new Date(),
        payload: { increment_id: '100000001' },
      },
      { status: 'failed', attempts: 1, lastError: 'Account code 4000 is not a valid code for this document.' },
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('refuses a wrong key and signs in with a valid one', async () => {
    await page.goto(`${api.url}/`);
    await page.fill('input[name=apiKey]', 'not-a-valid-key');
    await page.click('[data-testid=signin-form] button[type=submit]');
    await page.waitForSelector('text=That key is not valid.');
    await signIn(page, api.url, api.adminKey);
    expect(await page.textContent('.who')).toContain('admin');
    expect(await page.evaluate('sessionStorage.getItem("xero-sync.apiKey")')).toBe(api.adminKey);
  });

  it('shows the failed record in the log with Xero’s message and the error colour', async () => {
    const cell = page.locator('#log-grid .ag-row', { hasText: '100000001' });
    await cell.waitFor();
    expect(await cell.textContent()).toContain('Account code 4000 is not a valid code');
    expect(await cell.locator('.badge.status-error').count()).toBe(1);
    await screenshot(page, 'shell-log');
  });

  it('sends Sync Now for a record from the log', async () => {
    await page
      .locator('#log-grid .ag-row', { hasText: '100000001' })
      .locator('button', { hasText: 'Sync Now' })
      .click();
    await page.waitForSelector('[data-testid=flash]:has-text("Sync Now sent")');
    const [command] = await readCommands(api.config, 1);
    expect(command).toMatchObject({ type: 'sync.record', storeId: 'shop-b', entity: 'order', entityId: '100000001' });
  });

  it('opens every page without errors', async () => {
    for (const id of ['queue', 'daily', 'settings', 'connections', 'backfill', 'stores', 'dlq', 'log']) {
      await page.click(`header nav a[data-page=${id}]`);
      await page.waitForSelector(`section[data-section=${id}]`, { state: 'visible' });
    }
    await page.click('header nav a[data-page=stores]');
    await page.fill('section[data-section=stores] input[placeholder="store id"]', 'shop-c');
    await page.fill('section[data-section=stores] input[placeholder="name"]', 'Shop C');
    await page.click('section[data-section=stores] button:has-text("Create store")');
    await page.waitForSelector('section[data-section=stores] .secret code');
    expect((await page.textContent('section[data-section=stores] .secret code'))!.length).toBeGreaterThan(20);
    await screenshot(page, 'shell-stores');
    expect(consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
