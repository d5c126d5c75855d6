import { randomUUID } from 'node:crypto';
import { PendingChangeRepository, StoreSettingsRepository } from '@xero-sync/persistence';
import { generateStore, GeneratedStore } from '@xero-sync/testing';
import { XeroDeliveryService } from '@xero-sync/xero';
import { connectThroughOAuth } from '../../../scripts/demo/demo-store';
import { AdminApiUnderTest, reservePort, startAdminApi } from './admin-api.harness';
import { call, fieldsOf } from './http-client';
import { SandboxUnderTest, startXeroSandbox } from './sandbox.harness';

jest.setTimeout(120_000);

/** Connections, settings, dry-run and reconciliation against the Xero sandbox through libs/xero. */
describe('admin-api Xero routes (e2e, sandbox)', () => {
  let api: AdminApiUnderTest;
  let xero: SandboxUnderTest;
  let org: { tenantId: string; shortCode: string };
  let viewer: string;
  let operator: string;
  let store: GeneratedStore;
  const storeId = 'xshop';

  const as = (key: string, path: string, options: Parameters<typeof call>[2] = {}) =>
    call(api.url, path, { ...options, key });

  beforeAll(async () => {
    const port = await reservePort();
    xero = await startXeroSandbox(port);
    org = await xero.createOrg('Routes Test Ltd');
    api = await startAdminApi({ ADMIN_API_PORT: String(port), ...xero.env(port) });
    const mk = async (role: string) =>
      (await as(api.adminKey, '/api-keys', { method: 'POST', body: { name: role, role } })).body.key as string;
    viewer = await mk('viewer');
    operator = await mk('operator');
    await as(api.adminKey, '/stores', { method: 'POST', body: { storeId, name: 'Xero Shop' } });
    store = generateStore({ seed: 11, storeId, customers: 4, products: 5, orders: 6 });
  });

  afterAll(async () => {
    await api?.close();
    await xero?.sandbox.close();
  });

  describe('connections', () => {
    it('starts the connect flow only for admins, with a binding cookie', async () => {
      expect((await as(operator, '/connections/start', { method: 'POST', body: {} })).status).toBe(403);
      expect((await call(api.url, '/connections/start', { method: 'POST', body: {} })).status).toBe(401);
      const started = await as(api.adminKey, '/connections/start', { method: 'POST', body: { storeId } });
      expect(started.status).toBe(201);
      expect(started.body.authorizeUrl).toMatch(new RegExp(`^${xero.sandbox.url}/identity/connect/authorize\\?`));
      expect(started.body.authorizeUrl).toContain('code_challenge_method=S256');
      expect(started.headers.get('set-cookie')).toMatch(/xs_xero_connect=.*HttpOnly.*SameSite=Lax/i);
      expect(
        fieldsOf(await as(api.adminKey, '/connections/start', { method: 'POST', body: { storeId: { $ne: 1 } } }))[0],
      ).toMatch(/storeId/);
      expect(
        (await as(api.adminKey, '/connections/start', { method: 'POST', body: { storeId: 'unknown-store' } })).status,
      ).toBe(404);
    });

    it('refuses a callback from another browser (no binding cookie) and a forged state', async () => {
      const started = await as(api.adminKey, '/connections/start', { method: 'POST', body: {} });
      const consent = await fetch(`${started.body.authorizeUrl}&consent=allow&tenant=${org.tenantId}`, {
        redirect: 'manual',
      });
      const callback = await fetch(consent.headers.get('location')!, { redirect: 'manual' });
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toMatch(/connectError=/);
      const forged = await fetch(`${api.url}/connections/callback?code=x&state=forged`, { redirect: 'manual' });
      expect(forged.headers.get('location')).toMatch(/connectError=/);
    });

    it('connects an org through the OAuth flow, binds the store and lists token health', async () => {
      const landing = await connectThroughOAuth(api.url, api.adminKey, org.tenantId, storeId);
      expect(landing).toMatch(/^\/\?connected=Routes%20Test%20Ltd#\/connections$/);
      const list = await as(viewer, '/connections');
      expect(list.body).toMatchObject({ total: 1, page: 1 });
      expect(list.body.items[0]).toMatchObject({
        tenantId: org.tenantId,
        tenantName: 'Routes Test Ltd',
        status: 'connected',
        stores: [storeId],
      });
      expect(list.body.items[0].tokenHealth).toMatch(/^healthy/);
      expect(list.text).not.toMatch(/Sealed|access_token|refresh_token/);
      const audit = await as(viewer, `/stores/${storeId}/settings/audit`);
      expect(audit.body.items[0].changedFields).toEqual(['xeroTenantId']);
      expect((await as(viewer, `/stores/${storeId}`)).body.xeroTenantId).toBe(org.tenantId);
    });
  });

  describe('settings', () => {
    it('reads the org’s accounts, tax rates and currencies for the form', async () => {
      const options = await as(viewer, `/stores/${storeId}/settings/options`);
      expect(options.status).toBe(200);
      expect(options.body.accounts.map((a: any) => a.code)).toEqual(
        expect.arrayContaining(['090', '200', '210', '860']),
      );
      expect(options.body.taxTypes.map((t: any) => t.taxType)).toEqual(expect.arrayContaining(['OUTPUT2', 'NONE']));
      expect(options.body.currencies).toContainEqual({ code: 'NZD', description: expect.any(String) });
    });

    it('caches the options: opening the page again costs no call; the refresh button reads Xero again', async () => {
      const calls = async () =>
        ((await (await fetch(`${xero.sandbox.url}/__sandbox/counters?tenantId=${org.tenantId}`)).json()) as any).total;
      const before = await calls();
      expect((await as(viewer, `/stores/${storeId}/settings/options`)).status).toBe(200);
      expect(await calls()).toBe(before);
      const refreshed = await as(viewer, `/stores/${storeId}/settings/options/refresh`, { method: 'POST' });
      expect(refreshed.status).toBe(201);
      expect(refreshed.body.accounts.map((a: any) => a.code)).toEqual(expect.arrayContaining(['090', '200']));
      expect(await calls()).toBe(before + 3);
    });

    it('saves valid settings, audits the change and refuses viewers and operators', async () => {
      const current = (await as(viewer, `/stores/${storeId}/settings`)).body;
      const { mode: _m, cronIntervalMinutes: _c, entitiesEnabled, mapping } = current;
      const body = { mode: 'cron', cronIntervalMinutes: 5, entitiesEnabled, mapping };
      expect((await as(operator, `/stores/${storeId}/settings`, { method: 'PUT', body })).status).toBe(403);
      const saved = await as(api.adminKey, `/stores/${storeId}/settings`, { method: 'PUT', body });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({ mode: 'cron', cronIntervalMinutes: 5, updatedBy: 'bootstrap' });
      const audit = await as(viewer, `/stores/${storeId}/settings/audit`);
      expect(audit.body.items[0]).toMatchObject({ actor: 'bootstrap', changedFields: ['cronIntervalMinutes', 'mode'] });
      expect(audit.body.items[0].before.mode).toBe('immediate');
      const again = await as(api.adminKey, `/stores/${storeId}/settings`, { method: 'PUT', body });
      expect(again.status).toBe(200);
      expect((await as(viewer, `/stores/${storeId}/settings/audit`)).body.total).toBe(audit.body.total);
    });

    it('answers 422 naming each account and tax type the org does not have', async () => {
      const { entitiesEnabled, mapping } = (await as(viewer, `/stores/${storeId}/settings`)).body;
      const bad = {
        mode: 'immediate',
        cronIntervalMinutes: 15,
        entitiesEnabled,
        mapping: {
          ...mapping,
          accounts: { ...mapping.accounts, sales: '4000' },
          taxRates: [{ percent: 15, taxType: 'GST_ON_SALES' }],
        },
      };
      const res = await as(api.adminKey, `/stores/${storeId}/settings`, { method: 'PUT', body: bad });
      expect(res.status).toBe(422);
      expect(fieldsOf(res)).toEqual(['mapping.accounts.sales', 'mapping.taxRates.0.taxType']);
      expect((await as(viewer, `/stores/${storeId}/settings`)).body.mapping.accounts.sales).toBe(
        mapping.accounts.sales,
      );
    });

    it('answers 400 with field paths for malformed settings and operator keys', async () => {
      const { mapping } = (await as(viewer, `/stores/${storeId}/settings`)).body;
      const res = await as(api.adminKey, `/stores/${storeId}/settings`, {
        method: 'PUT',
        body: {
          mode: 'sometimes',
          cronIntervalMinutes: 0,
          entitiesEnabled: ['orders'],
          mapping: {
            ...mapping,
            dueDays: -1,
            statusRules: { new: 'PAID' },
            // a guest's ContactNumber would pass Xero's 50 characters; a cap over one document; no such zone
            prefixes: { ...mapping.prefixes, contact: 'SHOP-NZ' },
            roundingCap: 5,
            timeZone: 'Mars/Olympus',
          },
        },
      });
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(
        expect.arrayContaining([
          'mode',
          'cronIntervalMinutes',
          'entitiesEnabled',
          'mapping.dueDays',
          'mapping.statusRules',
          'mapping.prefixes.contact',
          'mapping.roundingCap',
          'mapping.timeZone',
        ]),
      );
      const inj = await as(api.adminKey, `/stores/${storeId}/settings`, {
        method: 'PUT',
        body: {
          mode: 'cron',
          cronIntervalMinutes: 5,
          entitiesEnabled: [],
          mapping: { ...mapping, taxClasses: { $where: 'sleep(1000)' } },
        },
      });
      expect(inj.status).toBe(400);
      expect(fieldsOf(inj)).toEqual(['body.mapping.taxClasses.$where']);
    });
  });

  describe('dry-run', () => {
    it('shows the Xero requests, call count and totals for an order without calling Xero', async () => {
      const order = store.orders.find((o) => o.state !== 'canceled')!;
      const before: any = await (await fetch(`${xero.sandbox.url}/__sandbox/counters?tenantId=${org.tenantId}`)).json();
      const res = await as(viewer, `/stores/${storeId}/dry-run`, {
        method: 'POST',
        body: { entity: 'order', entityId: String(order.entity_id), payload: order },
      });
      expect(res.status).toBe(200);
      expect(res.body.requests.map((r: any) => `${r.method} ${r.path.split('?')[0]}`)).toContain('POST /Invoices');
      expect(res.body.calls).toBeGreaterThanOrEqual(1);
      expect(res.body.totals.total).toBeCloseTo(order.grand_total, 2);
      const after: any = await (await fetch(`${xero.sandbox.url}/__sandbox/counters?tenantId=${org.tenantId}`)).json();
      expect(after.total).toBe(before.total);
    });

    it('validates the payload and the id', async () => {
      const order = store.orders[0];
      const broken = await as(viewer, `/stores/${storeId}/dry-run`, {
        method: 'POST',
        body: { entity: 'order', entityId: String(order.entity_id), payload: { ...order, grand_total: 'lots' } },
      });
      expect(broken.status).toBe(422);
      expect(fieldsOf(broken)).toContain('payload.grand_total');
      const wrongId = await as(viewer, `/stores/${storeId}/dry-run`, {
        method: 'POST',
        body: { entity: 'order', entityId: '999999', payload: order },
      });
      expect(fieldsOf(wrongId)).toEqual(['entityId']);
      expect(
        (
          await as(viewer, `/stores/${storeId}/dry-run`, {
            method: 'POST',
            body: { entity: 'order', entityId: '424242' },
          })
        ).status,
      ).toBe(404);
      expect(
        fieldsOf(
          await as(viewer, `/stores/${storeId}/dry-run`, { method: 'POST', body: { entity: 'orders', entityId: '1' } }),
        ),
      ).toEqual(['entity']);
    });
  });

  describe('reconciliation', () => {
    it('balances after delivery, then lists a missing and a differing document', async () => {
      const delivery = api.app.get(XeroDeliveryService);
      const queue = api.app.get(PendingChangeRepository);
      const items = store.latest.filter(
        (e) => e.entity === 'customer' || e.entity === 'product' || e.entity === 'order',
      );
      const results = await delivery.deliver(
        await api.app.get(StoreSettingsRepository).get(storeId),
        items.map((e) => ({
          entity: e.entity,
          entityId: e.entityId,
          payload: e.payload,
          eventId: randomUUID(),
        })),
        { priority: 'interactive' },
      );
      expect(results.filter((r) => r.status === 'failed')).toEqual([]);
      for (const e of items) {
        await queue.saveLatest(
          {
            storeId,
            entity: e.entity,
            entityId: e.entityId,
            rank: 1,
            eventId: randomUUID(),
            occurredAt: new Date(),
            payload: e.payload,
          },
          { status: 'synced' },
        );
      }
      const orders = store.orders;
      const days = orders.map((o) => o.created_at.slice(0, 10)).sort();
      const period = `from=${days[0]}&to=${days[days.length - 1]}`;
      const ok = await as(viewer, `/stores/${storeId}/reconciliation?${period}`);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ storeId, tenantId: org.tenantId, balanced: true, issues: [] });
      expect(ok.body.storeDocuments).toBe(orders.length);
      expect(ok.body.totals.length).toBeGreaterThan(0);
      expect(ok.body.taxRates.every((r: any) => r.difference === 0)).toBe(true);

      const live = orders.find((o) => o.state !== 'canceled')!;
      await queue.saveLatest(
        {
          storeId,
          entity: 'order',
          entityId: String(live.entity_id),
          rank: 1,
          eventId: randomUUID(),
          occurredAt: new Date(Date.now() + 1000),
          payload: { ...live, grand_total: live.grand_total + 1 },
        },
        { status: 'synced' },
      );
      const extra = { ...live, entity_id: 990001, increment_id: '990001' };
      await queue.saveLatest(
        {
          storeId,
          entity: 'order',
          entityId: '990001',
          rank: 1,
          eventId: randomUUID(),
          occurredAt: new Date(),
          payload: extra,
        },
        { status: 'pending' },
      );
      const off = await as(viewer, `/stores/${storeId}/reconciliation?${period}`);
      expect(off.body.balanced).toBe(false);
      expect(off.body.issues.map((i: any) => [i.kind, i.entityId]).sort()).toEqual(
        [
          ['differs', String(live.entity_id)],
          ['missing', '990001'],
        ].sort(),
      );
    });

    it('validates the period and needs a bound store', async () => {
      expect(fieldsOf(await as(viewer, `/stores/${storeId}/reconciliation?from=2026-1-1`))).toEqual(
        expect.arrayContaining(['from', 'to']),
      );
      expect((await as(viewer, `/stores/${storeId}/reconciliation?from=2026-02-01&to=2026-01-01`)).status).toBe(422);
      await as(api.adminKey, '/stores', { method: 'POST', body: { storeId: 'unbound', name: 'Unbound' } });
      expect((await as(viewer, '/stores/unbound/reconciliation?from=2026-01-01&to=2026-01-31')).status).toBe(409);
      expect((await call(api.url, `/stores/${storeId}/reconciliation?from=2026-01-01&to=2026-01-31`)).status).toBe(401);
    });
  });

  describe('disconnect', () => {
    it('disconnects an org for admins only; its reads then answer 409', async () => {
      expect((await as(operator, `/connections/${org.tenantId}`, { method: 'DELETE' })).status).toBe(403);
      expect((await as(api.adminKey, `/connections/${org.tenantId}`, { method: 'DELETE' })).status).toBe(204);
      const list = await as(viewer, '/connections');
      expect(list.body.items[0]).toMatchObject({ status: 'disconnected' });
      expect(list.body.items[0].tokenHealth).toMatch(/^disconnected/);
      expect((await as(viewer, `/stores/${storeId}/settings/options`)).status).toBe(409);
      expect((await as(api.adminKey, '/connections/not-hex!', { method: 'DELETE' })).status).toBe(400);
    });
  });
});
