import { randomUUID } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { XeroConnectionRepository, defaultStoreSettings } from '@xero-sync/persistence';
import { SecretBox } from '@xero-sync/security';
import {
  generateStore,
  testMongoUri,
  startTestSandbox,
  testClientCredentials,
  testEncryptionKey,
  TestSandbox,
} from '@xero-sync/testing';
import { bootXeroApp, deliverToStore, dropTestDatabase, XeroTestApp } from './xero-test-app';

/** OAuth consent, refresh single-flight across two instances, lost refresh answers, invalid_grant. */
describe('XeroConnectionService (OAuth, tokens) against the sandbox', () => {
  let sandbox: TestSandbox;
  let a: XeroTestApp;
  let b: XeroTestApp;
  let env: Record<string, string>;
  let tenantId: string;
  const mongo = testMongoUri();

  beforeAll(async () => {
    sandbox = await startTestSandbox(1);
    const app = testClientCredentials();
    const redirect = 'http://127.0.0.1:9/xero/callback';
    await sandbox.control.addClient(app.clientId, app.clientSecret, [redirect]);
    tenantId = (await sandbox.control.createOrg({ name: 'Token Org' })).tenantId;
    env = {
      ...sandbox.env,
      MONGODB_URI: mongo,
      TOKEN_ENCRYPTION_KEY: testEncryptionKey(),
      XERO_CLIENT_ID: app.clientId,
      XERO_CLIENT_SECRET: app.clientSecret,
      XERO_REDIRECT_URI: redirect,
    };
    // two "instances" sharing one database
    a = await bootXeroApp({ ...env, SYNCER_INSTANCE_ID: 'instance-a' });
    b = await bootXeroApp({ ...env, SYNCER_INSTANCE_ID: 'instance-b' });
  });
  afterAll(async () => {
    await a?.app.close();
    await b?.app.close();
    await dropTestDatabase(mongo);
    await sandbox?.close();
  });

  /** Binds a fresh store to the org and delivers one generated customer through instance b. */
  async function deliverOneCustomer(seed: number, priority: 'interactive' | 'normal') {
    const storeId = `s-${randomUUID().slice(0, 8)}`;
    await a.settings.save({ ...defaultStoreSettings(storeId), xeroTenantId: tenantId }, 'test');
    const customer = generateStore({ seed, customers: 1, orders: 1 }).customers[0];
    const [r] = await deliverToStore(
      b,
      storeId,
      [{ entity: 'customer', entityId: String(customer.id), payload: customer, eventId: randomUUID() }],
      { priority },
    );
    return r;
  }

  async function consent(binding: string): Promise<{ code: string; state: string }> {
    const start = await a.consent.startAuthorization(binding);
    const url = new URL(start.authorizeUrl);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toContain('accounting.invoices');
    const res = await fetch(`${start.authorizeUrl}&consent=allow&tenant=${tenantId}`, { redirect: 'manual' });
    const back = new URL(res.headers.get('location')!);
    return { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
  }

  it('connects through the code flow with state bound to the admin request and PKCE; tokens are sealed', async () => {
    const foreign = await consent('admin-session-1');
    await expect(a.consent.completeAuthorization({ ...foreign, binding: 'someone-else' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    const { code, state } = await consent('admin-session-1');
    const view = await a.consent.completeAuthorization({ code, state, binding: 'admin-session-1' });
    expect(view).toMatchObject({
      kind: 'oauth',
      status: 'connected',
      tenants: [expect.objectContaining({ tenantId })],
    });
    const stored = await a.app.get(XeroConnectionRepository).findByTenant(tenantId);
    expect(JSON.stringify(stored)).not.toMatch(/eyJ|"access_token"/);
    expect(stored!.refreshTokenSealed).toMatch(/^v2\./);
  });

  it('two instances refreshing at once make exactly one refresh at Xero', async () => {
    const before = (await sandbox.control.counters(tenantId)).tokenRefreshes;
    const current = await a.connections.accessToken(tenantId);
    // both saw a 401 for the current token at the same moment
    const [ta, tb, ta2, tb2] = await Promise.all([
      a.connections.accessToken(tenantId, current),
      b.connections.accessToken(tenantId, current),
      a.connections.accessToken(tenantId, current),
      b.connections.accessToken(tenantId, current),
    ]);
    expect(new Set([ta, tb, ta2, tb2]).size).toBe(1);
    expect(ta).not.toBe(current);
    expect((await sandbox.control.counters(tenantId)).tokenRefreshes - before).toBe(1);
  });

  it('recovers a lost refresh answer with the previous refresh token inside the grace window', async () => {
    // Someone refreshed with the stored token and lost the answer: Xero rotated, our database still has the old one.
    const repo = a.app.get(XeroConnectionRepository);
    const conn = (await repo.findByTenant(tenantId))!;
    const oldRefresh = new SecretBox(env.TOKEN_ENCRYPTION_KEY).decrypt(conn.refreshTokenSealed!, conn.id);
    const lost = await fetch(`${sandbox.sandbox.url}/connect/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${env.XERO_CLIENT_ID}:${env.XERO_CLIENT_SECRET}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: oldRefresh }).toString(),
    });
    expect(lost.status).toBe(200);
    // and the identity endpoint drops the next connection too (a lost answer seen by the service itself)
    await sandbox.control.addFault({ kind: 'drop', count: 1, pathPrefix: '/connect/token' });
    const stale = await a.connections.accessToken(tenantId);
    const fresh = await b.connections.accessToken(tenantId, stale);
    expect(fresh).not.toBe(stale);
    expect((await a.connections.list())[0].status).toBe('connected');
    // the token works for real calls
    const r = await deliverOneCustomer(5, 'interactive');
    expect(r.status).toBe('synced');
  });

  it('keeps an idle org connected: a refresh token unused for 30 days is refreshed once, a fresh one is left alone', async () => {
    const refreshes = async () => (await sandbox.control.counters(tenantId)).tokenRefreshes;
    const before = await refreshes();
    expect(await a.connections.keepAlive()).toBe(0);
    expect(await refreshes()).toBe(before);
    const repo = a.app.get(XeroConnectionRepository);
    const idle = (await repo.findByTenant(tenantId))!;
    const longAgo = new Date(Date.now() - 31 * 86_400_000);
    await a.app
      .get<Connection>(getConnectionToken())
      .collection('xero_connections')
      .updateOne({ _id: idle.id as never }, { $set: { refreshTokenIssuedAt: longAgo } });
    // Every syncer runs the keep-alive; the refresh lease lets only one of them refresh.
    await Promise.all([a.connections.keepAlive(), b.connections.keepAlive()]);
    expect((await refreshes()) - before).toBe(1);
    const after = (await repo.findByTenant(tenantId))!;
    expect(after.refreshTokenIssuedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(after.status).toBe('connected');
  });

  it('an expired refresh token disconnects the org and its deliveries are deferred, nothing dropped', async () => {
    await sandbox.control.advanceTime(61 * 86_400_000);
    // Xero answers 401 for every token now; each 401 makes the service refresh (an instance may first pick up
    // a newer token another instance stored), until the refresh itself is refused.
    let token: string | undefined = await a.connections.accessToken(tenantId);
    let failure: unknown;
    for (let i = 0; i < 3 && !failure; i++) {
      token = await a.connections.accessToken(tenantId, token).catch((err: unknown) => {
        failure = err;
        return undefined;
      });
    }
    expect(failure).toMatchObject({ code: 'DISCONNECTED' });
    const view = (await a.connections.list())[0];
    expect(view.status).toBe('disconnected');
    expect(view.warning).toMatch(/disconnected/);
    const r = await deliverOneCustomer(6, 'normal');
    expect(r).toMatchObject({ status: 'deferred', error: { code: 'DISCONNECTED', retryable: true } });
  });
});
