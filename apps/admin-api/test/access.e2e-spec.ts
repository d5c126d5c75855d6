import mongoose from 'mongoose';
import {
  BackfillJobRepository,
  RequestStatsRepository,
  StoreSettingsRepository,
  SyncLogRepository,
} from '@xero-sync/persistence';
import { AdminApiUnderTest, startAdminApi } from './admin-api.harness';
import { Answer, call } from './http-client';

/**
 * Access control derived from the served OpenAPI document, so a route added later is covered without this file
 * changing: for every operation, a key scoped to store A is refused (403/404) whatever names store B's
 * resources and never reads B's data; a viewer is refused every write; a metrics key may only scrape; and no
 * route but the health probe and the OAuth callback answers without a key.
 */
jest.setTimeout(120_000);

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  'x-read-only'?: boolean;
}
interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components?: { schemas?: Record<string, Schema> };
}
interface Route {
  method: Method;
  template: string;
  op: Operation;
}

const A = 'store-a';
const B = 'store-b';
/** Text only store B's data carries: none of it may reach a key scoped to store A. */
const MARK_B = 'BRAVO-ONLY-7f3c';
const TENANT_A = 'a1b2c3d4-0000-4000-8000-00000000000a';
const TENANT_B = 'a1b2c3d4-0000-4000-8000-00000000000b';
const PUBLIC_ROUTES = new Set(['GET /health', 'GET /connections/callback']);

describe('admin-api access control from the OpenAPI document (e2e)', () => {
  let api: AdminApiUnderTest;
  let doc: OpenApiDocument;
  let routes: Route[];
  let scopedAdmin: string;
  let viewer: string;
  let metrics: string;
  let jobB: string;
  let viewerId: string;

  const as = (key: string | undefined, path: string, options: Parameters<typeof call>[2] = {}) =>
    call(api.url, path, { ...options, key });

  beforeAll(async () => {
    // Every keyless probe below counts as a failed authentication from this one address.
    api = await startAdminApi({ ADMIN_AUTH_FAILURE_LIMIT: '100000' });
    for (const [storeId, name] of [
      [A, 'Alpha store'],
      [B, `Bravo store ${MARK_B}`],
    ]) {
      expect((await as(api.adminKey, '/stores', { method: 'POST', body: { storeId, name } })).status).toBe(201);
    }
    const mk = async (body: Record<string, unknown>) => {
      const res = await as(api.adminKey, '/api-keys', { method: 'POST', body });
      expect(res.status).toBe(201);
      return res.body as { key: string; id: string };
    };
    scopedAdmin = (await mk({ name: 'store A admin', role: 'admin', stores: [A] })).key;
    const v = await mk({ name: 'ops viewer', role: 'viewer' });
    viewer = v.key;
    viewerId = v.id;
    metrics = (await mk({ name: 'prometheus', role: 'metrics' })).key;

    const settings = api.app.get(StoreSettingsRepository);
    await settings.bindTenant(A, TENANT_A, 'test');
    await settings.bindTenant(B, TENANT_B, 'test');
    const row = { durationMs: 5, calls: 1, mode: 'immediate' as const, attempt: 1, action: 'create' as const };
    await api.app.get(SyncLogRepository).append([
      { ...row, storeId: A, tenantId: TENANT_A, entity: 'order', entityId: '1001', status: 'success', message: 'ok A' },
      {
        ...row,
        storeId: B,
        tenantId: TENANT_B,
        entity: 'order',
        entityId: '2001',
        status: 'error',
        message: `rejected ${MARK_B}`,
      },
    ]);
    // Raw insert, as the syncer's DLQ writer stores a poison message (this suite tests the reads).
    const conn = await mongoose.createConnection(api.config.MONGODB_URI).asPromise();
    try {
      await conn.collection('dlq_messages').insertOne({
        sourceTopic: 'store.order.changed.v1',
        partition: 0,
        offset: '1',
        key: B,
        storeId: B,
        valueBase64: Buffer.from(MARK_B).toString('base64'),
        preview: MARK_B,
        headers: [],
        reason: `not JSON ${MARK_B}`,
        fieldErrors: [],
        status: 'new',
        requeueCount: 0,
        createdAt: new Date(),
        updatedAt: new Date(),
      });
    } finally {
      await conn.close();
    }
    jobB = (await api.app.get(BackfillJobRepository).create({ storeId: B, source: 'magento', entities: ['order'] }))
      .jobId;
    for (const tenantId of [TENANT_A, TENANT_B]) {
      await api.app.get(RequestStatsRepository).recordCall({
        tenantId,
        endpoint: 'GET_Invoices',
        status: 200,
        at: new Date(),
        dayRemaining: 4000,
      });
    }

    doc = (await call(api.url, '/docs-json')).body as OpenApiDocument;
    routes = Object.entries(doc.paths).flatMap(([template, ops]) =>
      (Object.entries(ops) as [Method, Operation][]).map(([method, op]) => ({ method, template, op })),
    );
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Store B's value for each path parameter the routes use (an unknown name fails the test: add it here). */
  const pathValue = (name: string): string => {
    const values: Record<string, string> = {
      storeId: B,
      entity: 'order',
      entityId: '2001',
      jobId: jobB,
      replayId: 'replay-of-b',
      tenantId: TENANT_B,
      id: viewerId,
    };
    if (!(name in values)) throw new Error(`no test value for path parameter ${name}: add one`);
    return values[name];
  };

  const resolve = (schema: Schema | undefined): Schema | undefined =>
    schema?.$ref ? doc.components?.schemas?.[schema.$ref.split('/').pop()!] : schema;

  /** The route's request aimed at store B: B in the path, in a `storeId` query parameter and in the body. */
  function towardB(route: Route): { path: string; body?: Record<string, unknown>; namesStore: boolean } {
    let namesStore = false;
    let path = route.template.replace(/\{(\w+)\}/g, (_, name: string) => {
      namesStore = true;
      return encodeURIComponent(pathValue(name));
    });
    const query = (route.op.parameters ?? []).filter((p) => p.in === 'query' && p.name === 'storeId');
    if (query.length > 0) {
      namesStore = true;
      path += `?storeId=${B}`;
    }
    const schema = resolve(route.op.requestBody?.content?.['application/json']?.schema);
    let body: Record<string, unknown> | undefined;
    if (route.op.requestBody) {
      body = {};
      if (schema?.properties && 'storeId' in schema.properties) {
        body.storeId = B;
        namesStore = true;
      }
    }
    return { path, body, namesStore };
  }

  const label = (route: Route) => `${route.method.toUpperCase()} ${route.template.replace(/\{(\w+)\}/g, ':$1')}`;
  const send = (key: string | undefined, route: Route, path: string, body?: unknown): Promise<Answer> =>
    as(key, path, { method: route.method.toUpperCase(), body });

  it('reads a document with the routes it should (so the checks below are not vacuous)', () => {
    const labels = routes.map(label);
    expect(labels).toEqual(
      expect.arrayContaining([
        'GET /sync-logs',
        'GET /sync-logs/export.csv',
        'GET /dlq',
        'POST /dlq/requeue',
        'GET /daily-reports',
        'POST /queue/:storeId/sync-now',
        'GET /backfills/:jobId',
        'GET /stores/:storeId/reconciliation',
        'POST /stores/:storeId/dry-run',
        'PUT /stores/:storeId/settings',
        'GET /connections',
        'GET /metrics',
      ]),
    );
    expect(routes.length).toBeGreaterThan(30);
  });

  it('answers no route without a key but the health probe and the OAuth callback', async () => {
    const open: string[] = [];
    for (const route of routes) {
      const { path, body } = towardB(route);
      const res = await send(undefined, route, path, body);
      if (res.status !== 401) open.push(`${label(route)} → ${res.status}`);
    }
    expect(open.filter((o) => !PUBLIC_ROUTES.has(o.split(' → ')[0]))).toEqual([]);
    for (const path of ['/', '/app.js', '/docs', '/docs-json']) expect((await call(api.url, path)).status).toBe(200);
  });

  it('refuses a key scoped to store A every request that names store B or its resources (403/404)', async () => {
    const leaks: string[] = [];
    for (const route of routes) {
      const { path, body, namesStore } = towardB(route);
      if (!namesStore && route.method === 'get') continue; // lists without a store: next test
      const res = await send(scopedAdmin, route, path, body);
      if (![403, 404].includes(res.status) || res.text.includes(MARK_B)) {
        leaks.push(`${label(route)} → ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('answers a key scoped to store A only its own stores’ rows on routes that name no store', async () => {
    const leaks: string[] = [];
    let answered = 0;
    for (const route of routes.filter((r) => r.method === 'get' && !r.template.includes('{'))) {
      if (PUBLIC_ROUTES.has(label(route))) continue;
      const res = await send(scopedAdmin, route, route.template);
      if (res.status === 403) continue;
      answered += 1;
      if (res.status >= 300 || res.text.includes(MARK_B) || res.text.includes(B) || res.text.includes(TENANT_B)) {
        leaks.push(`${label(route)} → ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(leaks).toEqual([]);
    expect(answered).toBeGreaterThanOrEqual(6);

    // ...and its own data is there: the scope filters, it does not simply answer nothing.
    expect((await as(scopedAdmin, '/stores')).body.items.map((s: { storeId: string }) => s.storeId)).toEqual([A]);
    expect((await as(scopedAdmin, '/sync-logs')).body.items.map((r: { storeId: string }) => r.storeId)).toEqual([A]);
    expect((await as(scopedAdmin, '/sync-logs/export.csv')).text).toContain('ok A');
    expect((await as(scopedAdmin, '/daily-reports')).body.items.map((r: { tenantId: string }) => r.tenantId)).toEqual([
      TENANT_A,
    ]);
    expect((await as(scopedAdmin, `/stores/${A}/settings`)).status).toBe(200);
    // Every store's view still sees B.
    expect((await as(viewer, '/dlq')).text).toContain(MARK_B);
  });

  it('refuses a viewer every write (403)', async () => {
    const allowed: string[] = [];
    for (const route of routes) {
      if (route.method === 'get' || route.op['x-read-only']) continue;
      const { path, body } = towardB(route);
      const res = await send(viewer, route, path, body);
      if (res.status !== 403) allowed.push(`${label(route)} → ${res.status}`);
    }
    expect(allowed).toEqual([]);
    expect((await as(api.adminKey, '/api-keys/me')).status).toBe(200);
  });

  it('lets a metrics key scrape /metrics and nothing else', async () => {
    const allowed: string[] = [];
    for (const route of routes) {
      if (PUBLIC_ROUTES.has(label(route))) continue;
      const { path, body } = towardB(route);
      const res = await send(metrics, route, path, body);
      const expected = label(route) === 'GET /metrics' ? 200 : 403;
      if (res.status !== expected) allowed.push(`${label(route)} → ${res.status}`);
    }
    expect(allowed).toEqual([]);
  });
});
