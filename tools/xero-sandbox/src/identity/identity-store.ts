import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { DAY_MS, MINUTE_MS, SandboxClock } from '../clock';

/** An OAuth app registered for the authorisation-code flow. */
export interface ClientRec {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  name: string;
}

/** A custom connection: a client_credentials app bound to exactly one organisation. */
export interface CustomConnectionRec {
  clientId: string;
  clientSecret: string;
  tenantId: string;
  name: string;
}

/** One consent: the organisations a user let an app reach (each a "connection" in /connections). */
export interface AuthorisationRec {
  authEventId: string;
  clientId: string;
  userId: string;
  scope: string;
  connections: Array<{ id: string; tenantId: string; createdMs: number }>;
}

interface CodeRec {
  clientId: string;
  redirectUri: string;
  authEventId: string;
  expiresAt: number;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

/** What a token reaches: a consent's organisations, or a custom connection's one organisation. */
export type Grant = { kind: 'authorisation'; authEventId: string } | { kind: 'custom'; tenantId: string };

interface AccessRec {
  clientId: string;
  grant: Grant;
  expiresAt: number;
}

/** The JSON body `/connect/token` answers with. */
export interface TokenResponse {
  access_token: string;
  expires_in: number;
  token_type: 'Bearer';
  scope: string;
  refresh_token?: string;
}

interface RefreshRec {
  clientId: string;
  authEventId: string;
  /** Unused refresh tokens die after 60 days. */
  expiresAt: number;
  /** Set once used: the answer it produced, replayed during the 30-minute grace. */
  rotated?: { at: number; response: TokenResponse };
}

export const ACCESS_TOKEN_MS = 30 * MINUTE_MS;
export const REFRESH_GRACE_MS = 30 * MINUTE_MS;
export const REFRESH_TOKEN_MS = 60 * DAY_MS;
export const AUTH_CODE_MS = 5 * MINUTE_MS;

/** Why a token request failed, in OAuth terms. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description?: string,
  ) {
    super(description ?? error);
  }
}

/**
 * Xero identity's state: apps, consents, authorisation codes and tokens. Lifetimes run on the scaled clock.
 * Refresh tokens rotate on every use; the previous one stays usable for 30 minutes and replays the same new token
 * set (Xero's allowance for a lost refresh answer), after which it is `invalid_grant`.
 */
export class IdentityStore {
  clients = new Map<string, ClientRec>();
  customConnections = new Map<string, CustomConnectionRec>();
  authorisations = new Map<string, AuthorisationRec>();
  private codes = new Map<string, CodeRec>();
  private access = new Map<string, AccessRec>();
  private refresh = new Map<string, RefreshRec>();
  private readonly signingKey = randomBytes(32);

  constructor(private readonly clock: SandboxClock) {}

  reset(): void {
    this.clients.clear();
    this.customConnections.clear();
    this.authorisations.clear();
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
  }

  /** Checks client credentials for any kind of app. */
  authenticateClient(clientId: string | undefined, secret: string | undefined): ClientRec | CustomConnectionRec {
    const c = clientId ? (this.clients.get(clientId) ?? this.customConnections.get(clientId)) : undefined;
    if (!c || c.clientSecret !== secret) throw new OAuthError(400, 'invalid_client');
    return c;
  }

  /** Records a consent and issues a single-use code valid for 5 minutes. */
  issueCode(
    client: ClientRec,
    redirectUri: string,
    tenantIds: string[],
    scope: string,
    challenge?: { codeChallenge: string; method: string },
  ): string {
    const auth: AuthorisationRec = {
      authEventId: randomUUID(),
      clientId: client.clientId,
      userId: randomUUID(),
      scope,
      connections: tenantIds.map((tenantId) => ({ id: randomUUID(), tenantId, createdMs: this.clock.wallNow() })),
    };
    this.authorisations.set(auth.authEventId, auth);
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, {
      clientId: client.clientId,
      redirectUri,
      authEventId: auth.authEventId,
      expiresAt: this.clock.xeroNow() + AUTH_CODE_MS,
      codeChallenge: challenge?.codeChallenge,
      codeChallengeMethod: challenge?.method,
    });
    return code;
  }

  exchangeCode(
    clientId: string,
    code: string,
    redirectUri: string | undefined,
    verifier: string | undefined,
  ): TokenResponse {
    const rec = this.codes.get(code);
    // Codes are single use: whatever happens next, this one is spent.
    this.codes.delete(code);
    if (!rec || rec.clientId !== clientId || rec.expiresAt <= this.clock.xeroNow()) {
      throw new OAuthError(400, 'invalid_grant');
    }
    if (redirectUri !== rec.redirectUri) throw new OAuthError(400, 'invalid_grant', 'redirect_uri mismatch');
    if (rec.codeChallenge) {
      if (!verifier) throw new OAuthError(400, 'invalid_grant', 'code_verifier required');
      const computed =
        rec.codeChallengeMethod === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
      if (computed !== rec.codeChallenge) throw new OAuthError(400, 'invalid_grant', 'code_verifier mismatch');
    }
    const auth = this.authorisations.get(rec.authEventId)!;
    return this.issueTokens(clientId, auth);
  }

  /** Rotates a refresh token; `replayed` is true when the grace window answered with the earlier rotation. */
  refreshTokens(clientId: string, token: string): { response: TokenResponse; replayed: boolean } {
    const rec = this.refresh.get(token);
    const now = this.clock.xeroNow();
    if (!rec || rec.clientId !== clientId || !this.authorisations.has(rec.authEventId)) {
      throw new OAuthError(400, 'invalid_grant');
    }
    if (rec.rotated) {
      if (now - rec.rotated.at <= REFRESH_GRACE_MS) return { response: rec.rotated.response, replayed: true };
      this.refresh.delete(token);
      throw new OAuthError(400, 'invalid_grant');
    }
    if (rec.expiresAt <= now) throw new OAuthError(400, 'invalid_grant');
    const response = this.issueTokens(clientId, this.authorisations.get(rec.authEventId)!);
    rec.rotated = { at: now, response };
    return { response, replayed: false };
  }

  clientCredentials(conn: CustomConnectionRec): TokenResponse {
    const access_token = this.mintAccess(conn.clientId, { kind: 'custom', tenantId: conn.tenantId }, 'custom');
    return {
      access_token,
      // Real seconds: with a time scale the token lives 30 Xero minutes, which is less wall-clock time.
      expires_in: Math.max(1, Math.floor(this.clock.toRealMs(ACCESS_TOKEN_MS) / 1000)),
      token_type: 'Bearer',
      scope: 'accounting.transactions accounting.contacts accounting.settings',
    };
  }

  /** Revokes a refresh token's whole consent (Xero revokes the connections it created). */
  revoke(clientId: string, token: string): void {
    const rec = this.refresh.get(token);
    if (!rec || rec.clientId !== clientId) return;
    this.authorisations.delete(rec.authEventId);
  }

  /** Resolves a bearer token; `expired` distinguishes Xero's TokenExpired from an unknown token. */
  resolveAccess(token: string): { ok: true; clientId: string; grant: Grant } | { ok: false; expired: boolean } {
    const rec = this.access.get(token);
    if (!rec) return { ok: false, expired: false };
    if (rec.expiresAt <= this.clock.xeroNow()) return { ok: false, expired: true };
    if (rec.grant.kind === 'authorisation' && !this.authorisations.has(rec.grant.authEventId)) {
      return { ok: false, expired: false };
    }
    return { ok: true, clientId: rec.clientId, grant: rec.grant };
  }

  /** Organisations a grant reaches. */
  tenantsOf(grant: Grant): string[] {
    if (grant.kind === 'custom') return [grant.tenantId];
    return this.authorisations.get(grant.authEventId)?.connections.map((c) => c.tenantId) ?? [];
  }

  /** Removes one connection (tenant) from a consent, as `DELETE /connections/{id}` does. */
  disconnect(grant: Grant, connectionId: string): boolean {
    if (grant.kind !== 'authorisation') return false;
    const auth = this.authorisations.get(grant.authEventId);
    if (!auth) return false;
    const before = auth.connections.length;
    auth.connections = auth.connections.filter((c) => c.id !== connectionId);
    return auth.connections.length < before;
  }

  /** Drops every grant's reach into a deleted organisation. */
  forgetTenant(tenantId: string): void {
    for (const a of this.authorisations.values()) a.connections = a.connections.filter((c) => c.tenantId !== tenantId);
  }

  private issueTokens(clientId: string, auth: AuthorisationRec): TokenResponse {
    const access_token = this.mintAccess(
      clientId,
      { kind: 'authorisation', authEventId: auth.authEventId },
      auth.userId,
    );
    const response: TokenResponse = {
      access_token,
      // Real seconds: with a time scale the token lives 30 Xero minutes, which is less wall-clock time.
      expires_in: Math.max(1, Math.floor(this.clock.toRealMs(ACCESS_TOKEN_MS) / 1000)),
      token_type: 'Bearer',
      scope: auth.scope,
    };
    if (auth.scope.split(/\s+/).includes('offline_access')) {
      const refresh_token = randomBytes(32).toString('hex');
      this.refresh.set(refresh_token, {
        clientId,
        authEventId: auth.authEventId,
        expiresAt: this.clock.xeroNow() + REFRESH_TOKEN_MS,
      });
      response.refresh_token = refresh_token;
    }
    return response;
  }

  /**
   * Access tokens look like Xero's (a signed JWT with the claims clients sometimes read: `xero_userid`,
   * `authentication_event_id`, `client_id`, `exp`), but the sandbox only trusts its own lookup table.
   */
  private mintAccess(clientId: string, grant: Grant, userId: string): string {
    const nowS = Math.floor(Date.now() / 1000);
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({
        nbf: nowS,
        exp: nowS + Math.ceil(this.clock.toRealMs(ACCESS_TOKEN_MS) / 1000),
        iss: 'xero-sandbox',
        aud: 'xero-sandbox/resources',
        client_id: clientId,
        sub: userId,
        xero_userid: userId,
        authentication_event_id: grant.kind === 'authorisation' ? grant.authEventId : undefined,
        jti: randomUUID(),
      }),
    ).toString('base64url');
    const sig = createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest('base64url');
    const token = `${header}.${payload}.${sig}`;
    this.access.set(token, { clientId, grant, expiresAt: this.clock.xeroNow() + ACCESS_TOKEN_MS });
    return token;
  }

  /** Plain data for snapshots. */
  toJSON(): unknown {
    return {
      clients: [...this.clients.values()],
      customConnections: [...this.customConnections.values()],
      authorisations: [...this.authorisations.values()],
      codes: [...this.codes],
      access: [...this.access],
      refresh: [...this.refresh],
    };
  }

  load(data: {
    clients: ClientRec[];
    customConnections: CustomConnectionRec[];
    authorisations: AuthorisationRec[];
    codes: Array<[string, CodeRec]>;
    access: Array<[string, AccessRec]>;
    refresh: Array<[string, RefreshRec]>;
  }): void {
    this.clients = new Map(data.clients.map((c) => [c.clientId, c]));
    this.customConnections = new Map(data.customConnections.map((c) => [c.clientId, c]));
    this.authorisations = new Map(data.authorisations.map((a) => [a.authEventId, a]));
    this.codes = new Map(data.codes);
    this.access = new Map(data.access);
    this.refresh = new Map(data.refresh);
  }
}
