import { createHash, randomBytes } from 'node:crypto';
import { RunningSandbox, startSandbox } from '../src';
import { Control, tokenRequest, xeroClientFor, xeroError } from './harness';

const REDIRECT = 'http://127.0.0.1:3002/callback';
const app = { id: 'store-app', secret: 'store-secret' };

describe('Identity: OAuth2 code flow, refresh rotation, custom connections', () => {
  let sb: RunningSandbox;
  let control: Control;
  let orgA: string;
  let orgB: string;
  // 60× clock: the 30-minute windows pass in 30 real seconds, and /__sandbox/time skips ahead without waiting.
  beforeAll(async () => {
    sb = await startSandbox({
      port: 0,
      timeScale: 60,
      clients: [{ clientId: app.id, clientSecret: app.secret, redirectUris: [REDIRECT] }],
    });
    control = new Control(sb.url);
    orgA = (await control.post('/orgs', { name: 'Org A' })).tenantId;
    orgB = (await control.post('/orgs', { name: 'Org B' })).tenantId;
  });
  afterAll(() => sb.close());

  async function consent(query: Record<string, string>): Promise<URL> {
    const res = await fetch(`${sb.url}/identity/connect/authorize?${new URLSearchParams(query).toString()}`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!);
  }

  const base = {
    response_type: 'code',
    client_id: app.id,
    redirect_uri: REDIRECT,
    scope: 'openid offline_access accounting.transactions',
    state: 'xyz',
  };

  it('shows a consent page listing the organisations, and POSTing Allow redirects with code and state', async () => {
    const page = await fetch(`${sb.url}/identity/connect/authorize?${new URLSearchParams(base).toString()}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('Org A');
    expect(html).toContain('Org B');
    const res = await fetch(`${sb.url}/identity/connect/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...base, tenant: orgB, consent: 'allow' }),
    });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
    expect(to.searchParams.get('state')).toBe('xyz');
    const tokens = await tokenRequest(sb.url, app, {
      grant_type: 'authorization_code',
      code: to.searchParams.get('code')!,
      redirect_uri: REDIRECT,
    });
    expect(tokens.status).toBe(200);
    const conns: any = await (
      await fetch(`${sb.url}/connections`, { headers: { authorization: `Bearer ${tokens.body.access_token}` } })
    ).json();
    expect(conns.map((c: any) => c.tenantId)).toEqual([orgB]);
  });

  it('refuses an unknown redirect_uri without redirecting', async () => {
    const res = await fetch(
      `${sb.url}/identity/connect/authorize?${new URLSearchParams({ ...base, redirect_uri: 'http://evil.example/cb' }).toString()}`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
  });

  it('authorization code with PKCE S256: single use, verifier checked, token reaches the consented org only', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const to = await consent({
      ...base,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      consent: 'allow',
      tenant: orgA,
    });
    const code = to.searchParams.get('code')!;
    const wrong = await tokenRequest(sb.url, app, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: 'nope',
    });
    expect(wrong).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });

    const to2 = await consent({
      ...base,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      consent: 'allow',
      tenant: orgA,
    });
    const code2 = to2.searchParams.get('code')!;
    const ok = await tokenRequest(sb.url, app, {
      grant_type: 'authorization_code',
      code: code2,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(ok.status).toBe(200);
    // 30 Xero minutes at a 60x clock: expires_in is in real seconds, so clients refresh in time.
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 30 });
    expect(ok.body.refresh_token).toEqual(expect.any(String));
    const reuse = await tokenRequest(sb.url, app, {
      grant_type: 'authorization_code',
      code: code2,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(reuse.body.error).toBe('invalid_grant');

    const xero = xeroClientFor(sb.url, ok.body.access_token);
    const org = await xero.accountingApi.getOrganisations(orgA);
    expect(org.body.organisations![0].name).toBe('Org A');
    const other = await xeroError(xero.accountingApi.getOrganisations(orgB));
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ Title: 'Forbidden', Status: 403 });
    expect(other.headers['x-daylimit-remaining']).toBeDefined();
  });

  it('rotates refresh tokens; the old one replays the same set for 30 minutes, then invalid_grant', async () => {
    const to = await consent({ ...base, consent: 'allow', tenant: orgA });
    const first = (
      await tokenRequest(sb.url, app, {
        grant_type: 'authorization_code',
        code: to.searchParams.get('code')!,
        redirect_uri: REDIRECT,
      })
    ).body;
    const second = await tokenRequest(sb.url, app, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    // The answer was "lost": retrying the old token within the grace gives the very same new set.
    const replay = await tokenRequest(sb.url, app, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(replay.body).toEqual(second.body);
    await control.post('/time', { advanceMs: 31 * 60_000 });
    const late = await tokenRequest(sb.url, app, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(late).toEqual({ status: 400, body: { error: 'invalid_grant' } });
    // The rotated token is still good, and the access token from before has expired.
    const expired = await xeroError(
      xeroClientFor(sb.url, second.body.access_token).accountingApi.getOrganisations(orgA),
    );
    expect(expired.status).toBe(401);
    expect(expired.body.Detail).toBe('TokenExpired');
    const third = await tokenRequest(sb.url, app, {
      grant_type: 'refresh_token',
      refresh_token: second.body.refresh_token,
    });
    expect(third.status).toBe(200);
    const org = await xeroClientFor(sb.url, third.body.access_token).accountingApi.getOrganisations(orgA);
    expect(org.body.organisations![0].organisationID).toBe(orgA);
    expect((await control.counters(orgA)).tokenRefreshes).toBe(2);
  });

  it('an unused refresh token expires after 60 days', async () => {
    const to = await consent({ ...base, consent: 'allow', tenant: orgA });
    const set = (
      await tokenRequest(sb.url, app, {
        grant_type: 'authorization_code',
        code: to.searchParams.get('code')!,
        redirect_uri: REDIRECT,
      })
    ).body;
    await control.post('/time', { advanceMs: 60 * 24 * 60 * 60_000 + 1000 });
    const res = await tokenRequest(sb.url, app, { grant_type: 'refresh_token', refresh_token: set.refresh_token });
    expect(res).toEqual({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('client_credentials for a custom connection: no refresh token, one org, tenant header optional', async () => {
    await control.post('/custom-connections', { clientId: 'm2m', clientSecret: 's3', tenantId: orgB });
    const bad = await tokenRequest(sb.url, { id: 'm2m', secret: 'wrong' }, { grant_type: 'client_credentials' });
    expect(bad.body.error).toBe('invalid_client');
    const ok = await tokenRequest(sb.url, { id: 'm2m', secret: 's3' }, { grant_type: 'client_credentials' });
    expect(ok.body.refresh_token).toBeUndefined();
    const xero = xeroClientFor(sb.url, ok.body.access_token);
    expect((await xero.accountingApi.getOrganisations('')).body.organisations![0].organisationID).toBe(orgB);
    expect((await xeroError(xero.accountingApi.getOrganisations(orgA))).status).toBe(403);
  });

  it('answers 401 in Xero’s shape without a token, revokes consents, and disconnects a tenant', async () => {
    const none = await fetch(`${sb.url}/api.xro/2.0/Organisation`, { headers: { 'xero-tenant-id': orgA } });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      Title: 'Unauthorized',
      Status: 401,
      Detail: 'AuthenticationUnsuccessful',
    });
    expect(none.headers.get('x-minlimit-remaining')).toBeDefined();

    const to = await consent({ ...base, consent: 'allow', tenant: `${orgA},${orgB}` });
    const set = (
      await tokenRequest(sb.url, app, {
        grant_type: 'authorization_code',
        code: to.searchParams.get('code')!,
        redirect_uri: REDIRECT,
      })
    ).body;
    const auth = { authorization: `Bearer ${set.access_token}` };
    const conns: any = await (await fetch(`${sb.url}/connections`, { headers: auth })).json();
    expect(conns).toHaveLength(2);
    expect(conns[0]).toMatchObject({ tenantType: 'ORGANISATION', tenantName: 'Org A' });
    const del = await fetch(`${sb.url}/connections/${conns[1].id}`, { method: 'DELETE', headers: auth });
    expect(del.status).toBe(204);
    expect((await xeroError(xeroClientFor(sb.url, set.access_token).accountingApi.getOrganisations(orgB))).status).toBe(
      403,
    );

    const revoke = await fetch(`${sb.url}/connect/revocation`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: set.refresh_token }),
    });
    expect(revoke.status).toBe(200);
    expect((await fetch(`${sb.url}/connections`, { headers: auth })).status).toBe(401);
    const refresh = await tokenRequest(sb.url, app, { grant_type: 'refresh_token', refresh_token: set.refresh_token });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('publishes a discovery document pointing at its own endpoints', async () => {
    const doc: any = await (await fetch(`${sb.url}/.well-known/openid-configuration`)).json();
    expect(doc).toMatchObject({
      token_endpoint: `${sb.url}/connect/token`,
      authorization_endpoint: `${sb.url}/identity/connect/authorize`,
    });
  });
});
