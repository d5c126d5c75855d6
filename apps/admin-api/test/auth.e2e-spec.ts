import mongoose from 'mongoose';
import { sha256Hex } from '@xero-sync/security';
import { AdminApiUnderTest, startAdminApi } from './admin-api.harness';
import { call, fieldsOf } from './http-client';

jest.setTimeout(60_000);

describe('admin-api access control (e2e)', () => {
  let api: AdminApiUnderTest;

  beforeAll(async () => {
    api = await startAdminApi({ ADMIN_CORS_ORIGIN: 'http://dashboard.test' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers /health, the dashboard and its vendor files without a key', async () => {
    expect((await call(api.url, '/health')).status).toBe(200);
    const page = await call(api.url, '/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>');
    expect((await call(api.url, '/vendor/alpinejs/cdn.min.js')).status).toBe(200);
    expect((await call(api.url, '/vendor/chart.js/chart.umd.min.js')).status).toBe(200);
    expect((await call(api.url, '/vendor/ag-grid-community/ag-grid-community.min.js')).status).toBe(200);
  });

  it('publishes the OpenAPI document at /docs', async () => {
    expect((await call(api.url, '/docs')).status).toBe(200);
    const doc = await call(api.url, '/docs-json');
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toContain('/api-keys');
  });

  it('refuses a request without a key (401) and with an unknown key (401)', async () => {
    const none = await call(api.url, '/api-keys/me');
    expect(none.status).toBe(401);
    expect(none.body.message).toMatch(/API key is required/);
    expect((await call(api.url, '/api-keys/me', { key: 'not-a-key-at-all' })).status).toBe(401);
    expect((await call(api.url, '/metrics')).status).toBe(401);
  });

  it('accepts the bootstrap key as admin through either header', async () => {
    const bearer = await call(api.url, '/api-keys/me', { key: api.adminKey });
    expect(bearer.body).toEqual({ keyId: 'bootstrap', name: 'bootstrap', role: 'admin', stores: '*' });
    const header = await call(api.url, '/api-keys/me', { key: api.adminKey, header: 'x-api-key' });
    expect(header.status).toBe(200);
  });

  it('times every request by route template in /metrics; unknown paths share the not-found route label', async () => {
    const scrape = async () => (await call(api.url, '/metrics', { key: api.adminKey })).text;
    const countOf = (text: string, labels: string) => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`xero_sync_http_request_duration_seconds_count{${labels}}`));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const me = 'app="admin-api",route="/api-keys/me",status="200"';
    // Nest answers unknown paths from its own catch-all route, so they do not make a label each.
    const unknown = 'app="admin-api",route="/{*path}",status="404"';
    const before = await scrape();
    await call(api.url, '/api-keys/me', { key: api.adminKey });
    await call(api.url, '/api-keys/me', { key: api.adminKey });
    await call(api.url, `/no-such-path-${Date.now()}`, { key: api.adminKey });
    const after = await scrape();
    expect(countOf(after, me)).toBe(countOf(before, me) + 2);
    expect(countOf(after, unknown)).toBe(countOf(before, unknown) + 1);
  });

  it('creates keys shown once, stores only their hash, enforces roles and revokes', async () => {
    const created = await call(api.url, '/api-keys', {
      method: 'POST',
      key: api.adminKey,
      body: { name: 'ops viewer', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    const viewerKey: string = created.body.key;
    expect(viewerKey).toMatch(/^xsk_/);
    expect(created.body.role).toBe('viewer');

    const conn = await mongoose.createConnection(api.config.MONGODB_URI).asPromise();
    try {
      const stored = await conn.collection('api_keys').find({}).toArray();
      expect(stored).toHaveLength(1);
      expect(stored[0].keyHash).toBe(sha256Hex(viewerKey));
      expect(JSON.stringify(stored)).not.toContain(viewerKey);
    } finally {
      await conn.close();
    }

    const list = await call(api.url, '/api-keys', { key: api.adminKey });
    expect(list.body).toMatchObject({ total: 1, page: 1, pageSize: 50 });
    expect(list.text).not.toContain(viewerKey);
    expect(list.text).not.toContain('keyHash');

    expect((await call(api.url, '/api-keys/me', { key: viewerKey })).body.role).toBe('viewer');
    const forbidden = await call(api.url, '/api-keys', { key: viewerKey });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toMatch(/admin role/);

    expect((await call(api.url, `/api-keys/${created.body.id}`, { method: 'DELETE', key: api.adminKey })).status).toBe(
      204,
    );
    expect((await call(api.url, '/api-keys/me', { key: viewerKey })).status).toBe(401);
    expect((await call(api.url, `/api-keys/${created.body.id}`, { method: 'DELETE', key: api.adminKey })).status).toBe(
      404,
    );
  });

  it('rejects bad input with 400 and the field names', async () => {
    const bad = await call(api.url, '/api-keys', {
      method: 'POST',
      key: api.adminKey,
      body: { name: '', role: 'owner' },
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad)).toEqual(expect.arrayContaining(['name', 'role']));
    const extra = await call(api.url, '/api-keys', {
      method: 'POST',
      key: api.adminKey,
      body: { name: 'x', role: 'viewer', admin: true },
    });
    expect(fieldsOf(extra)).toContain('admin');
    const page = await call(api.url, '/api-keys?page=0&pageSize=500', { key: api.adminKey });
    expect(page.status).toBe(400);
    expect(fieldsOf(page)).toEqual(expect.arrayContaining(['page', 'pageSize']));
    expect((await call(api.url, '/api-keys/not-an-id', { method: 'DELETE', key: api.adminKey })).status).toBe(400);
  });

  it('rejects MongoDB operator injection in query and body', async () => {
    const before = (await call(api.url, '/api-keys', { key: api.adminKey })).body.total;
    const query = await call(api.url, '/api-keys?page[$ne]=1', { key: api.adminKey });
    expect(query.status).toBe(400);
    const body = await call(api.url, '/api-keys', {
      method: 'POST',
      key: api.adminKey,
      body: { name: { $gt: '' }, role: 'admin' },
    });
    expect(body.status).toBe(400);
    expect(fieldsOf(body)[0]).toMatch(/name/);
    const listed = await call(api.url, '/api-keys', { key: api.adminKey });
    expect(listed.body.total).toBe(before);
  });

  it('sends secure headers and allows CORS only for the dashboard origin', async () => {
    const res = await call(api.url, '/health', { headers: { Origin: 'http://dashboard.test' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('access-control-allow-origin')).toBe('http://dashboard.test');
    const other = await call(api.url, '/health', { headers: { Origin: 'http://evil.test' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('admin-api failed-authentication limit (e2e)', () => {
  let api: AdminApiUnderTest;

  beforeAll(async () => {
    api = await startAdminApi({ ADMIN_AUTH_FAILURE_LIMIT: '3' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 429 with Retry-After once an address failed too often, even with a valid key', async () => {
    for (let i = 0; i < 3; i++) expect((await call(api.url, '/api-keys/me', { key: `wrong-${i}` })).status).toBe(401);
    const blocked = await call(api.url, '/api-keys/me', { key: api.adminKey });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(api.url, '/health')).status).toBe(200);
  });
});

describe('admin-api failed-authentication limit behind a proxy (e2e)', () => {
  const fail = (api: AdminApiUnderTest, forwardedFor: string) =>
    call(api.url, '/api-keys/me', { key: 'wrong-key', headers: { 'X-Forwarded-For': forwardedFor } });

  it('counts by X-Forwarded-For when TRUST_PROXY trusts the proxy', async () => {
    const api = await startAdminApi({ ADMIN_AUTH_FAILURE_LIMIT: '2', TRUST_PROXY: 'loopback' });
    try {
      expect((await fail(api, '203.0.113.1')).status).toBe(401);
      expect((await fail(api, '203.0.113.1')).status).toBe(401);
      expect((await fail(api, '203.0.113.1')).status).toBe(429);
      // Another client behind the same proxy is not locked out.
      expect((await fail(api, '203.0.113.2')).status).toBe(401);
      const other = await call(api.url, '/api-keys/me', {
        key: api.adminKey,
        headers: { 'X-Forwarded-For': '203.0.113.3' },
      });
      expect(other.status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('counts by the socket address without TRUST_PROXY, whatever X-Forwarded-For claims', async () => {
    const api = await startAdminApi({ ADMIN_AUTH_FAILURE_LIMIT: '2' });
    try {
      expect((await fail(api, '203.0.113.1')).status).toBe(401);
      expect((await fail(api, '203.0.113.2')).status).toBe(401);
      expect((await fail(api, '203.0.113.3')).status).toBe(429);
    } finally {
      await api.close();
    }
  });
});

describe('admin-api per-key rate limit (e2e)', () => {
  let api: AdminApiUnderTest;

  beforeAll(async () => {
    api = await startAdminApi({ ADMIN_RATE_LIMIT: '5', ADMIN_RATE_WINDOW_MS: '60000' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers the 6th request of a key in the window 429 with Retry-After; another key is unaffected', async () => {
    // The bootstrap key makes the 2 key-creating requests; each new key then has its own 5.
    const mk = async (name: string) =>
      (await call(api.url, '/api-keys', { method: 'POST', key: api.adminKey, body: { name, role: 'viewer' } })).body
        .key as string;
    const first = await mk('first');
    const second = await mk('second');
    for (let i = 0; i < 5; i++) expect((await call(api.url, '/api-keys/me', { key: first })).status).toBe(200);
    const limited = await call(api.url, '/stores', { key: first });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.message).toMatch(/too many requests for this API key/);
    expect((await call(api.url, '/api-keys/me', { key: second })).status).toBe(200);
    // Unauthenticated probes are not counted against anyone.
    for (let i = 0; i < 7; i++) expect((await call(api.url, '/health')).status).toBe(200);
  });
});

describe('admin-api key expiry and bootstrap retirement (e2e)', () => {
  let api: AdminApiUnderTest;

  beforeAll(async () => {
    api = await startAdminApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  it('stops accepting a key once its expiresAt has passed, and refuses an expiry in the past', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const created = await call(api.url, '/api-keys', {
      method: 'POST',
      key: api.adminKey,
      body: { name: 'short-lived', role: 'viewer', expiresAt },
    });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(expiresAt);
    expect((await call(api.url, '/api-keys/me', { key: created.body.key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await call(api.url, '/api-keys/me', { key: created.body.key })).status).toBe(401);
    const past = await call(api.url, '/api-keys', {
      method: 'POST',
      key: api.adminKey,
      body: { name: 'past', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(422);
    expect(fieldsOf(past)).toEqual(['expiresAt']);
  });

  it('refuses a metrics key limited to stores', async () => {
    const res = await call(api.url, '/api-keys', {
      method: 'POST',
      key: api.adminKey,
      body: { name: 'scraper', role: 'metrics', stores: ['shop-1'] },
    });
    expect(res.status).toBe(422);
    expect(fieldsOf(res)).toEqual(['stores']);
  });

  it('retires the bootstrap key only once another admin that sees every store exists', async () => {
    const retire = (key: string) => call(api.url, '/api-keys/bootstrap/retire', { method: 'POST', key });
    const scoped = await call(api.url, '/api-keys', {
      method: 'POST',
      key: api.adminKey,
      body: { name: 'store admin', role: 'admin', stores: ['shop-1'] },
    });
    expect((await retire(api.adminKey)).status).toBe(409);
    expect((await retire(scoped.body.key)).status).toBe(403);
    const admin = await call(api.url, '/api-keys', {
      method: 'POST',
      key: api.adminKey,
      body: { name: 'ops admin', role: 'admin' },
    });
    expect(admin.body.stores).toBe('*');
    expect((await retire(api.adminKey)).status).toBe(204);
    expect((await call(api.url, '/api-keys/me', { key: api.adminKey })).status).toBe(401);
    expect((await call(api.url, '/api-keys/me', { key: admin.body.key })).status).toBe(200);
    expect((await retire(admin.body.key)).status).toBe(409);
  });
});
