import express, { Request, Response, Router } from 'express';
import { problem } from '../accounting/xero-format';
import { SandboxContext } from '../sandbox-context';
import { resolveBearer } from './bearer.guard';
import { ClientRec, OAuthError } from './identity-store';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function param(req: Request, name: string): string | undefined {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const v = body[name] ?? req.query[name];
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(',');
  return v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
}

function clientAuth(req: Request): { id?: string; secret?: string } {
  const m = /^Basic\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  if (m) {
    const [id, ...rest] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id), secret: decodeURIComponent(rest.join(':')) };
  }
  return { id: param(req, 'client_id'), secret: param(req, 'client_secret') };
}

function oauthFail(res: Response, e: unknown): void {
  if (e instanceof OAuthError) {
    res.status(e.status).json({ error: e.error, ...(e.description ? { error_description: e.description } : {}) });
    return;
  }
  throw e;
}

/**
 * Xero identity: the authorise page (code flow with PKCE), the token endpoint for authorization_code,
 * refresh_token and client_credentials, revocation, `/connections`, and the discovery document.
 */
export function identityRoutes(ctx: SandboxContext, baseUrl: () => string): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false });

  r.get('/.well-known/openid-configuration', (_req, res) => {
    const base = baseUrl();
    res.json({
      issuer: base,
      authorization_endpoint: `${base}/identity/connect/authorize`,
      token_endpoint: `${base}/connect/token`,
      revocation_endpoint: `${base}/connect/revocation`,
      jwks_uri: `${base}/.well-known/openid-configuration/jwks`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256', 'plain'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: [
        'openid',
        'profile',
        'email',
        'offline_access',
        'accounting.transactions',
        'accounting.contacts',
        'accounting.settings',
      ],
    });
  });

  const authorize = (req: Request, res: Response): void => {
    const clientId = param(req, 'client_id');
    const redirectUri = param(req, 'redirect_uri');
    const client = clientId ? ctx.identity.clients.get(clientId) : undefined;
    // An unknown client or redirect URI is never redirected to (that would be an open redirect): show an error.
    if (!client || !redirectUri || !client.redirectUris.includes(redirectUri)) {
      res.status(400).type('html').send('<h1>Invalid request</h1><p>unauthorized_client or invalid redirect_uri</p>');
      return;
    }
    const state = param(req, 'state');
    const back = (q: Record<string, string>): void => {
      const u = new URL(redirectUri);
      for (const [k, v] of Object.entries(q)) u.searchParams.set(k, v);
      if (state !== undefined) u.searchParams.set('state', state);
      res.redirect(302, u.toString());
    };
    if (param(req, 'response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const consent = param(req, 'consent');
    if (consent === 'deny') return back({ error: 'access_denied' });
    if (consent !== 'allow') return consentPage(req, res, client);
    const orgIds = [...ctx.orgs.keys()];
    const chosen = (param(req, 'tenant') ?? '').split(',').filter(Boolean);
    const tenants = chosen.length ? chosen.filter((t) => ctx.orgs.has(t)) : orgIds.slice(0, 1);
    if (tenants.length === 0) return back({ error: 'access_denied', error_description: 'no organisation selected' });
    const challenge = param(req, 'code_challenge');
    const method = param(req, 'code_challenge_method') ?? 'plain';
    if (challenge && method !== 'S256' && method !== 'plain') return back({ error: 'invalid_request' });
    const code = ctx.identity.issueCode(
      client,
      redirectUri,
      tenants,
      param(req, 'scope') ?? '',
      challenge ? { codeChallenge: challenge, method } : undefined,
    );
    back({ code, scope: param(req, 'scope') ?? '' });
  };

  const consentPage = (req: Request, res: Response, client: ClientRec): void => {
    const keep = [
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'code_challenge',
      'code_challenge_method',
    ];
    const hidden = keep
      .map((k) => [k, param(req, k)] as const)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v!)}">`)
      .join('\n');
    const orgs = [...ctx.orgs.values()]
      .map(
        (o, i) =>
          `<label><input type="checkbox" name="tenant" value="${o.tenantId}"${i === 0 ? ' checked' : ''}> ${escapeHtml(o.name)}</label><br>`,
      )
      .join('\n');
    res.type('html').send(`<!doctype html><html><head><title>Xero sandbox – allow access</title></head><body>
<h1>${escapeHtml(client.name)} wants access to your Xero organisations</h1>
<p>Scopes: ${escapeHtml(param(req, 'scope') ?? '')}</p>
<form method="post" action="/identity/connect/authorize">
${hidden}
${orgs || '<p>No organisations exist in this sandbox yet.</p>'}
<button type="submit" name="consent" value="allow">Allow access</button>
<button type="submit" name="consent" value="deny">Cancel</button>
</form></body></html>`);
  };

  r.get('/identity/connect/authorize', authorize);
  r.post('/identity/connect/authorize', form, authorize);

  r.post('/connect/token', form, (req, res) => {
    try {
      const { id, secret } = clientAuth(req);
      const grantType = param(req, 'grant_type');
      const publicClient = secret === undefined && id !== undefined && ctx.identity.clients.has(id);
      const client = publicClient ? ctx.identity.clients.get(id)! : ctx.identity.authenticateClient(id, secret);
      switch (grantType) {
        case 'authorization_code': {
          if (!('redirectUris' in client)) throw new OAuthError(400, 'unauthorized_client');
          const verifier = param(req, 'code_verifier');
          if (publicClient && !verifier) throw new OAuthError(400, 'invalid_client');
          res.json(
            ctx.identity.exchangeCode(client.clientId, param(req, 'code') ?? '', param(req, 'redirect_uri'), verifier),
          );
          return;
        }
        case 'refresh_token': {
          if (!('redirectUris' in client)) throw new OAuthError(400, 'unauthorized_client');
          const { response, replayed } = ctx.identity.refreshTokens(client.clientId, param(req, 'refresh_token') ?? '');
          if (!replayed) {
            const bearer = ctx.identity.resolveAccess(response.access_token);
            ctx.counters.tokenRefresh(bearer.ok ? ctx.identity.tenantsOf(bearer.grant) : []);
          }
          res.json(response);
          return;
        }
        case 'client_credentials': {
          if ('redirectUris' in client) throw new OAuthError(400, 'unauthorized_client');
          res.json(ctx.identity.clientCredentials(client));
          return;
        }
        case undefined:
        default:
          throw new OAuthError(400, 'unsupported_grant_type');
      }
    } catch (e) {
      oauthFail(res, e);
    }
  });

  r.post('/connect/revocation', form, (req, res) => {
    try {
      const { id, secret } = clientAuth(req);
      const client = ctx.identity.authenticateClient(id, secret);
      ctx.identity.revoke(client.clientId, param(req, 'token') ?? '');
      res.status(200).end();
    } catch (e) {
      oauthFail(res, e);
    }
  });

  r.get('/connections', (req, res) => {
    const b = resolveBearer(ctx, req);
    if (!b.ok) {
      res.status(401).json(problem(401, 'Unauthorized', b.detail));
      return;
    }
    const authEventId = typeof req.query.authEventId === 'string' ? req.query.authEventId : undefined;
    const conns =
      b.grant.kind === 'custom'
        ? [
            {
              id: b.grant.tenantId,
              tenantId: b.grant.tenantId,
              authEventId: b.grant.tenantId,
              createdMs: ctx.orgs.get(b.grant.tenantId)?.createdMs ?? 0,
            },
          ]
        : (ctx.identity.authorisations.get(b.grant.authEventId)?.connections ?? []).map((c) => ({
            ...c,
            authEventId: (b.grant as { authEventId: string }).authEventId,
          }));
    res.json(
      conns
        .filter((c) => ctx.orgs.has(c.tenantId) && (!authEventId || c.authEventId === authEventId))
        .map((c) => ({
          id: c.id,
          authEventId: c.authEventId,
          tenantId: c.tenantId,
          tenantType: 'ORGANISATION',
          tenantName: ctx.orgs.get(c.tenantId)!.name,
          createdDateUtc: new Date(c.createdMs).toISOString(),
          updatedDateUtc: new Date(c.createdMs).toISOString(),
        })),
    );
  });

  r.delete('/connections/:id', (req, res) => {
    const b = resolveBearer(ctx, req);
    if (!b.ok) {
      res.status(401).json(problem(401, 'Unauthorized', b.detail));
      return;
    }
    if (!ctx.identity.disconnect(b.grant, req.params.id)) {
      res.status(404).json(problem(404, 'Not Found', 'Connection not found'));
      return;
    }
    res.status(204).end();
  });

  return r;
}
