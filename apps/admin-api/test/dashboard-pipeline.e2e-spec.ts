import { createHmac, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { topics } from '@xero-sync/contracts';
import { deleteTopics } from '@xero-sync/messaging';
import { eventually, generateStore, repoRoot, TEST_BROKERS, testMongoUri, uniqueSuffix } from '@xero-sync/testing';
import { adminCall, recordsOf } from '../../../scripts/demo/demo-store';
import { FakeMagento, startFakeMagento } from '../../../scripts/demo/fake-magento';
import { Pipeline, startPipeline } from '../../../scripts/demo/pipeline';
import { ARTIFACTS, launchChromium, screenshot, signIn } from './browser';

jest.setTimeout(300_000);

const STORE_ID = 'browser-shop';
const BAD_SHIPPING = '4000';

/**
 * The merchant's path through the dashboard on the whole pipeline (sandbox + ingest + syncer + admin-api, built
 * apps as child processes): sign in, connect Xero through the consent page, backfill with a progress bar, see
 * an order rejected by Xero with Xero's message, fix the setting, Sync Now, see it succeed with a View On Xero
 * link, and the daily request chart. The apps log at debug level, and the last test scans every line they
 * wrote for the run's secrets.
 */
describe('dashboard on the whole pipeline (browser)', () => {
  let pipeline: Pipeline;
  let magento: FakeMagento;
  let browser: Browser;
  let page: Page;
  let tenantId: string;
  let shortCode: string;
  const suffix = uniqueSuffix();
  const mongoUri = testMongoUri(`t_dash_${suffix}`);
  const prefix = `t-${suffix}-`;
  const logDir = join(ARTIFACTS, 'pipeline-logs');
  /** Every secret of this run that passed through the apps: none may appear in their logs. */
  const secrets = new Map<string, string>();

  const log = (name: string) => page.locator('#log-grid .ag-row', { hasText: name });

  beforeAll(async () => {
    pipeline = await startPipeline({
      root: repoRoot,
      ports: { sandbox: 0, ingest: 0, adminApi: 0, syncer: 0 },
      mongoUri,
      topicPrefix: prefix,
      groupPrefix: `t-${suffix}`,
      partitions: 2,
      logDir,
      logLevel: 'debug',
    });
    const org = await fetch(`${pipeline.sandboxUrl}/__sandbox/orgs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Browser Test Ltd', baseCurrency: 'NZD', currencies: ['USD', 'AUD'] }),
    });
    ({ tenantId, shortCode } = (await org.json()) as { tenantId: string; shortCode: string });

    const store = generateStore({ seed: 3, storeId: STORE_ID, customers: 4, products: 5, orders: 6 });
    const token = randomBytes(16).toString('hex');
    magento = await startFakeMagento(token, recordsOf(store.events));
    secrets.set('bootstrap key', pipeline.adminKey);
    secrets.set('Xero client secret', pipeline.clientSecret);
    secrets.set('Magento token', token);
    const created = await adminCall<{ webhookSecret: string }>(
      pipeline.adminUrl,
      pipeline.adminKey,
      '/stores',
      'POST',
      {
        storeId: STORE_ID,
        name: 'Browser Shop',
        magentoBaseUrl: magento.url,
        magentoToken: token,
      },
    );
    secrets.set('webhook secret', created.webhookSecret);
    // A merchant's mistake made before connecting (nothing to check it against yet): shipping posted to an
    // account the org does not have. Xero will reject every order with shipping.
    const settings = await adminCall<any>(pipeline.adminUrl, pipeline.adminKey, `/stores/${STORE_ID}/settings`);
    await adminCall(pipeline.adminUrl, pipeline.adminKey, `/stores/${STORE_ID}/settings`, 'PUT', {
      mode: 'immediate',
      cronIntervalMinutes: 1,
      entitiesEnabled: settings.entitiesEnabled,
      mapping: { ...settings.mapping, accounts: { ...settings.mapping.accounts, shipping: BAD_SHIPPING } },
    });

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (!url.pathname.endsWith('/connections/callback')) return;
      for (const name of ['code', 'state']) {
        const value = url.searchParams.get(name);
        if (value) secrets.set(`OAuth ${name}`, value);
      }
    });
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

  it('signs in and connects Xero through the consent page', async () => {
    await signIn(page, pipeline.adminUrl, pipeline.adminKey);
    await page.click('header nav a[data-page=connections]');
    await page.click('[data-testid=connect-xero]');
    await page.waitForURL(/\/identity\/connect\/authorize/);
    await screenshot(page, 'pipeline-1-consent');
    await page.click('button[name=consent][value=allow]');
    await page.waitForURL(/connected=/);
    const row = page.locator('[data-testid=connections-table] tbody tr', { hasText: tenantId });
    await row.waitFor();
    expect(await row.textContent()).toContain('connected');
    expect(await row.textContent()).toContain(STORE_ID);
    await screenshot(page, 'pipeline-2-connected');
  });

  it('starts a backfill and watches its progress bar finish', async () => {
    await page.click('header nav a[data-page=backfill]');
    await page.click('[data-testid=start-backfill]');
    const status = page
      .locator('[data-testid=backfill-table] tbody tr')
      .first()
      .locator('[data-testid=backfill-status]');
    await status.waitFor();
    await page.waitForFunction(
      `(() => {
        const bar = document.querySelector('[data-testid=backfill-table] tbody tr .progress');
        const label = document.querySelector('[data-testid=backfill-table] tbody tr [data-testid=backfill-status]');
        const fill = bar?.querySelector('.bar');
        return bar?.getAttribute('aria-valuenow') === '100' && fill?.style.width === '100%' && label?.textContent === 'succeeded';
      })()`,
      undefined,
      { timeout: 120_000 },
    );
    await page.waitForTimeout(600); // the bar's width transition
    await screenshot(page, 'pipeline-3-backfill-done');
  });

  it('shows an order Xero rejected, with Xero’s message', async () => {
    await page.click('header nav a[data-page=log]');
    await page.selectOption('section[data-section=log] select[name=status]', 'error');
    await page.fill('section[data-section=log] input[name=q]', `Account code '${BAD_SHIPPING}'`);
    await page.click('section[data-section=log] button:has-text("Filter")');
    const failed = page
      .locator('#log-grid .ag-row', { hasText: `Account code '${BAD_SHIPPING}' is not a valid code` })
      .first();
    await failed.waitFor({ timeout: 120_000 });
    expect(await failed.locator('.badge.status-error').count()).toBe(1);
    await screenshot(page, 'pipeline-4-failed');
  });

  it('fixes the setting, presses Sync Now and sees the order succeed with a working View On Xero link', async () => {
    const failed = page.locator('#log-grid .ag-row', { hasText: `Account code '${BAD_SHIPPING}'` }).first();
    const orderId = (await failed.locator('[col-id=entityId]').textContent())!.trim();

    await page.click('header nav a[data-page=settings]');
    const shipping = page.locator('input[name="accounts.shipping"]');
    await shipping.waitFor();
    await shipping.fill('210');
    await page.click('[data-testid=save-settings]');
    await page.waitForSelector('[data-testid=flash]:has-text("Settings saved")');
    // The audit trail shows the fix (the earlier save and the binding are already there).
    const changes = page.locator('section[data-section=settings] table tbody tr');
    await changes.nth(2).waitFor();
    expect(await changes.first().textContent()).toContain('mapping.accounts.shipping');
    await screenshot(page, 'pipeline-5-settings-fixed');

    await page.click('header nav a[data-page=log]');
    await page.selectOption('section[data-section=log] select[name=status]', '');
    await page.fill('section[data-section=log] input[name=q]', '');
    await page.click('section[data-section=log] button:has-text("Filter")');
    await log(orderId).first().waitFor();
    await page
      .locator('#log-grid .ag-row', { has: page.locator(`[col-id=entityId]:text-is("${orderId}")`) })
      .filter({ hasText: 'order' })
      .first()
      .locator('button', { hasText: 'Sync Now' })
      .click();
    await page.waitForSelector('[data-testid=flash]:has-text("Sync Now sent")');

    // The page polls; wait (via the same API) for the attempt after Sync Now, so a failure shows the history.
    let history: any[] = [];
    await eventually(async () => {
      const rec = await adminCall<any>(
        pipeline.adminUrl,
        pipeline.adminKey,
        `/stores/${STORE_ID}/records/order/${orderId}`,
      );
      history = rec.history;
      return history.some((h) => h.status === 'success');
    }, 120_000).catch(() => {
      throw new Error(`order ${orderId} did not sync after Sync Now; its history: ${JSON.stringify(history, null, 1)}`);
    });
    const synced = history.find((h) => h.status === 'success');
    expect(synced).toMatchObject({ xeroId: expect.any(String), xeroUrl: expect.any(String) });
    const link = page.locator(`#log-grid a.view-on-xero[href="${synced.xeroUrl}"]`);
    await link.waitFor({ timeout: 30_000 });
    const row = page.locator('#log-grid .ag-row', { has: page.locator(`a.view-on-xero[href="${synced.xeroUrl}"]`) });
    await screenshot(page, 'pipeline-6-synced');
    expect(await row.locator('[col-id=status]').textContent()).toBe('success');
    expect(await row.locator('[col-id=status] .badge').getAttribute('class')).toContain('status-success');
    const href = (await link.getAttribute('href'))!;
    expect(href).toContain(`shortcode=${shortCode}`);
    const dump = (await (await fetch(`${pipeline.sandboxUrl}/__sandbox/orgs/${tenantId}/dump`)).json()) as any;
    const invoice = dump.invoices.find((i: any) => href.includes(i.InvoiceID));
    expect(invoice).toBeDefined();
    expect(invoice.Status).not.toBe('DELETED');
    expect(invoice.LineItems.some((l: any) => l.AccountCode === '210')).toBe(true);
  });

  it('draws the daily request chart', async () => {
    await page.click('header nav a[data-page=daily]');
    await page.waitForSelector('[data-testid=daily-table] tbody tr');
    const calls = Number(await page.locator('[data-testid=daily-table] tbody tr td').nth(2).textContent());
    expect(calls).toBeGreaterThan(0);
    const drawn = await page.evaluate(
      "(() => { const c = document.getElementById('daily-chart'); return !!c && c.width > 0 && !!window.Chart.getChart(c); })()",
    );
    expect(drawn).toBe(true);
    await screenshot(page, 'pipeline-7-daily');
    expect(pipeline.failures()).toEqual([]);
  });

  it('writes none of the run’s keys, secrets, tokens or OAuth codes to any app log', async () => {
    // A key made and used through admin-api, and a signed webhook through ingest, so both paths are in the logs.
    const made = await adminCall<{ key: string }>(pipeline.adminUrl, pipeline.adminKey, '/api-keys', 'POST', {
      name: 'log scan',
      role: 'viewer',
    });
    secrets.set('API key', made.key);
    await adminCall(pipeline.adminUrl, made.key, '/api-keys/me');
    expect((await fetch(`${pipeline.adminUrl}/sync-logs?storeId=${STORE_ID}&token=${made.key}`)).status).toBe(401);
    const body = JSON.stringify({ events: [{ entity: 'customer', payload: { id: 99, email: 'scan@example.com' } }] });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', secrets.get('webhook secret')!).update(`${timestamp}.${body}`).digest('hex');
    const webhook = await fetch(
      `${pipeline.ingestUrl}/v1/stores/${STORE_ID}/events?access_token=${secrets.get('Magento token')}`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Store-Timestamp': timestamp,
          'X-Store-Signature': `sha256=${signature}`,
        },
        body,
      },
    );
    expect(webhook.status).toBeLessThan(500);
    expect(secrets.has('OAuth code')).toBe(true);

    await new Promise((r) => setTimeout(r, 500)); // the apps' last lines reach their files
    const logs = readdirSync(logDir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => ({ file: f, text: readFileSync(join(logDir, f), 'utf8') }));
    expect(logs.map((l) => l.file).sort()).toEqual(['admin-api.log', 'ingest.log', 'syncer.log']);
    expect(logs.reduce((n, l) => n + l.text.length, 0)).toBeGreaterThan(10_000);
    const found = [...secrets].flatMap(([what, value]) =>
      logs.filter((l) => l.text.includes(value)).map((l) => `${what} in ${l.file}`),
    );
    expect(found).toEqual([]);
  });
});
