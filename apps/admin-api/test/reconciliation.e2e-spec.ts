import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { StoreSettingsRepository } from '@xero-sync/persistence';
import { generateStore, GeneratedStore, SandboxControl } from '@xero-sync/testing';
import { XeroDeliveryService } from '@xero-sync/xero';
import { connectThroughOAuth, recordsOf } from '../../../scripts/demo/demo-store';
import { FakeMagento, startFakeMagento } from '../../../scripts/demo/fake-magento';
import { AdminApiUnderTest, readCommands, reservePort, startAdminApi } from './admin-api.harness';
import { launchChromium, screenshot, signIn } from './browser';
import { call } from './http-client';
import { SandboxUnderTest, startXeroSandbox } from './sandbox.harness';

jest.setTimeout(180_000);

/**
 * Reconciliation against the store itself: a pull-connected store (its Magento REST API, here a stand-in
 * serving the generated store's documents) whose documents were delivered to the Xero sandbox balances; a Xero
 * invoice then re-dated through Xero's own API is reported with its field, on the API and on the dashboard,
 * whose Sync Now publishes the command for that order.
 */
describe('reconciliation against the store (e2e, sandbox, browser)', () => {
  let api: AdminApiUnderTest;
  let xero: SandboxUnderTest;
  let magento: FakeMagento;
  let org: { tenantId: string; shortCode: string };
  let store: GeneratedStore;
  let period: { from: string; to: string };
  let broken: { number: string; entityId: string; storeDay: string };
  let browser: Browser | undefined;
  let page: Page;
  const storeId = 'recon-shop';
  const token = randomBytes(16).toString('hex');

  const as = (path: string, options: Parameters<typeof call>[2] = {}) =>
    call(api.url, path, { ...options, key: api.adminKey });
  const report = () => as(`/stores/${storeId}/reconciliation?from=${period.from}&to=${period.to}`);

  /** Xero's own API as another app connected to the org (a custom connection), to change a document there. */
  async function xeroApi(path: string, body: unknown): Promise<any> {
    const control = new SandboxControl(xero.sandbox.url);
    const clientId = `recon-${randomBytes(4).toString('hex')}`;
    await control.addCustomConnection(clientId, 'secret', org.tenantId);
    const tok = await fetch(`${xero.sandbox.url}/connect/token`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${clientId}:secret`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    const { access_token } = (await tok.json()) as { access_token: string };
    const res = await fetch(`${xero.sandbox.url}/api.xro/2.0${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${access_token}`,
        'Xero-Tenant-Id': org.tenantId,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(`Xero ${path}: HTTP ${res.status} ${JSON.stringify(answer).slice(0, 400)}`);
    return answer;
  }

  beforeAll(async () => {
    const port = await reservePort();
    xero = await startXeroSandbox(port);
    org = await xero.createOrg('Reconciliation Ltd');
    api = await startAdminApi({ ADMIN_API_PORT: String(port), ...xero.env(port) });
    store = generateStore({ seed: 21, storeId, customers: 4, products: 5, orders: 8 });
    magento = await startFakeMagento(token, recordsOf(store.events));
    await as('/stores', {
      method: 'POST',
      body: { storeId, name: 'Reconciled Shop', magentoBaseUrl: magento.url, magentoToken: token },
    });
    await connectThroughOAuth(api.url, api.adminKey, org.tenantId, storeId);
    const days = store.orders.map((o) => o.created_at.slice(0, 10)).sort();
    period = { from: days[0], to: days[days.length - 1] };
  });

  afterAll(async () => {
    await browser?.close();
    await magento?.close();
    await api?.close();
    await xero?.sandbox.close();
  });

  it('balances once the store’s documents are in Xero, read from the store itself', async () => {
    const delivery = api.app.get(XeroDeliveryService);
    const settings = await api.app.get(StoreSettingsRepository).get(storeId);
    // Dependencies first, as the syncer orders them: contacts and items, orders, then payments and credit notes.
    for (const entities of [['customer', 'product'], ['order'], ['invoice'], ['creditmemo']]) {
      const items = store.latest.filter((e) => entities.includes(e.entity));
      const results = await delivery.deliver(
        settings,
        items.map((e) => ({ entity: e.entity, entityId: e.entityId, payload: e.payload, eventId: randomUUID() })),
        { priority: 'interactive' },
      );
      expect(results.filter((r) => r.status === 'failed')).toEqual([]);
    }
    const ok = await report();
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      storeId,
      tenantId: org.tenantId,
      source: 'store',
      differences: [],
      issues: [],
      balanced: true,
    });
    expect(ok.body.storeDocuments).toBe(store.orders.length + store.creditMemos.length);
    // Balanced with payments, refunds and allocations in it, so those were compared too.
    const dump = await new SandboxControl(xero.sandbox.url).dump(org.tenantId);
    expect(dump.payments.filter((p) => p.Invoice).length).toBeGreaterThan(0);
    expect(dump.creditNotes.length).toBeGreaterThan(0);
    expect(ok.body.totals.every((t: any) => t.difference === 0)).toBe(true);
  });

  it('reports a Xero invoice re-dated in Xero, naming the field and both days', async () => {
    const dump = await new SandboxControl(xero.sandbox.url).dump(org.tenantId);
    const editable = dump.invoices.find(
      (i) => i.Status !== 'DELETED' && i.Status !== 'VOIDED' && i.Payments.length === 0 && i.CreditNotes.length === 0,
    );
    expect(editable).toBeDefined();
    const order = store.orders.find((o) => `MI-${o.increment_id}` === editable!.InvoiceNumber)!;
    broken = {
      number: editable!.InvoiceNumber,
      entityId: String(order.entity_id),
      storeDay: order.created_at.slice(0, 10),
    };
    await xeroApi(`/Invoices/${editable!.InvoiceID}`, {
      Invoices: [{ InvoiceID: editable!.InvoiceID, Date: '2020-02-02' }],
    });

    const off = await report();
    expect(off.status).toBe(200);
    expect(off.body.balanced).toBe(false);
    expect(off.body.differences).toEqual([
      {
        storeId,
        kind: 'differs',
        field: 'date',
        type: 'invoice',
        number: broken.number,
        entity: 'order',
        entityId: broken.entityId,
        store: broken.storeDay,
        xero: '2020-02-02',
        detail: `dated ${broken.storeDay} in the store, 2020-02-02 in Xero`,
      },
    ]);
  });

  it('answers a clear error when the store’s Magento refuses, instead of falling back', async () => {
    const other = 'recon-shop-locked';
    await as('/stores', {
      method: 'POST',
      body: { storeId: other, name: 'Locked Shop', magentoBaseUrl: magento.url, magentoToken: 'wrong-token' },
    });
    expect((await as(`/stores/${other}/xero-tenant`, { method: 'PUT', body: { tenantId: org.tenantId } })).status).toBe(
      200,
    );
    const res = await as(`/stores/${other}/reconciliation?from=${period.from}&to=${period.to}`);
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/Magento REST API failed: HTTP 401/);
    expect(res.body.fields).toEqual([{ field: 'magento', reason: expect.stringMatching(/^HTTP 401: order page 1/) }]);
  });

  it('lists the difference on the Reconciliation page; its Sync Now publishes the command for the order', async () => {
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await signIn(page, api.url, api.adminKey);
    await page.selectOption('header select[name=store]', storeId);
    await page.click('header nav a[data-page=reconciliation]');
    const section = page.locator('section[data-section=reconciliation]');
    await section.waitFor({ state: 'visible' });
    await section.locator('input[name=from]').fill(period.from);
    await section.locator('input[name=to]').fill(period.to);
    await section.locator('[data-testid=run-reconciliation]').click();
    const summary = section.locator('[data-testid=reconciliation-summary]');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/^1 difference \(/);
    expect(await section.locator('[data-testid=reconciliation-source]').textContent()).toContain('store');
    const row = section.locator(`[data-testid=reconciliation-differences] tr[data-number="${broken.number}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-field')).toBe('date');
    expect(await row.textContent()).toContain('2020-02-02');
    await screenshot(page, 'reconciliation-difference');
    await row.locator('button', { hasText: 'Sync Now' }).click();
    await page.waitForSelector(`[data-testid=flash]:has-text("Sync Now sent for order ${broken.entityId}")`);
    const [command] = await readCommands(api.config, 1);
    expect(command).toMatchObject({ type: 'sync.record', storeId, entity: 'order', entityId: broken.entityId });
    expect(pageErrors).toEqual([]);
  });

  it('reports a store invoice whose payment was deleted in Xero', async () => {
    const dump = await new SandboxControl(xero.sandbox.url).dump(org.tenantId);
    const payment = dump.payments.find((p) => p.Invoice && p.Status === 'AUTHORISED' && p.Reference)!;
    const paid = store.invoices.find((i) => i.increment_id === payment.Reference)!;
    await xeroApi(`/Payments/${payment.PaymentID}`, { Status: 'DELETED' });
    const off = await report();
    expect(off.body.differences).toContainEqual(
      expect.objectContaining({
        kind: 'missing-in-xero',
        field: 'presence',
        type: 'payment',
        number: paid.increment_id,
        entity: 'invoice',
        entityId: String(paid.entity_id),
        store: paid.grand_total.toFixed(2),
        xero: null,
      }),
    );
  });
});
