import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import {
  StoreSettings,
  StoreSettingsRepository,
  TokenLeaseRepository,
  XeroConnectionRecord,
  XeroConnectionRepository,
  XeroTenantRef,
  XeroTokenFields,
} from '@xero-sync/persistence';
import { randomSecret, safeEqual, SecretBox, sha256Hex } from '@xero-sync/security';
import { XeroError } from '../xero.errors';
import { XERO_OPTIONS, XeroModuleOptions } from '../xero.options';
import { XeroGrantError, XeroIdentityClient, XeroTenantConnection, XeroTokenSet } from './xero-identity.client';

export const GRANULAR_SCOPES =
  'openid profile email offline_access accounting.contacts accounting.settings accounting.invoices accounting.payments';
export const BROAD_SCOPES = 'offline_access accounting.transactions accounting.contacts accounting.settings';

const DAY_MS = 86_400_000;
/** Xero: an unused refresh token dies after 60 days; warn from day 45, keep-alive refreshes from day 30. */
const REFRESH_TOKEN_LIFETIME_DAYS = 60;
const REFRESH_WARN_DAYS = 45;
/** Xero keeps a rotated refresh token usable for 30 minutes (lost-answer grace). */
const REFRESH_GRACE_MS = 30 * 60_000;
const ACCESS_TOKEN_MARGIN_MS = 60_000;
const AUTHORIZE_TTL_MS = 10 * 60_000;

/** A connection as admin-api lists it: orgs and token health, never secrets. */
export interface XeroConnectionView {
  connectionId: string;
  kind: 'oauth' | 'custom';
  status: 'connected' | 'disconnected';
  tenants: { tenantId: string; tenantName?: string; shortCode?: string }[];
  scopes?: string;
  accessTokenExpiresAt?: Date;
  refreshTokenIssuedAt?: Date;
  refreshTokenExpiresAt?: Date;
  /** Set when re-consent is needed soon (refresh token near its 60-day end) or now (disconnected). */
  warning?: string;
  disconnectedReason?: string;
}

export interface AuthorizationStart {
  authorizeUrl: string;
  state: string;
  expiresAt: Date;
}

/**
 * Xero connections: the OAuth2 code flow (state bound to the admin's request, PKCE S256), custom connections
 * (client_credentials), tokens sealed at rest (SecretBox, aad = connection id), and access tokens for calls with
 * refresh single-flight across instances (a lease per connection; the new refresh token is persisted before the
 * access token is used; a lost refresh answer is retried with the same refresh token inside Xero's 30-minute
 * grace; invalid_grant marks the connection disconnected so its work waits instead of failing).
 */
@Injectable()
export class XeroConnectionService {
  private readonly logger = new Logger(XeroConnectionService.name);
  private readonly identity: XeroIdentityClient;
  private readonly owner: string;
  private readonly inProcess = new Map<string, Promise<string>>();
  /** Access tokens in hand per tenant, so a call costs no database read while its token is valid. */
  private readonly cache = new Map<string, { token: string; until: number }>();
  private box?: SecretBox;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: XeroConnectionRepository,
    private readonly leases: TokenLeaseRepository,
    private readonly settings: StoreSettingsRepository,
    @Optional() @Inject(XERO_OPTIONS) private readonly options: XeroModuleOptions = {},
  ) {
    this.identity = new XeroIdentityClient({
      identityUrl: config.XERO_IDENTITY_URL,
      connectionsUrl: config.XERO_CONNECTIONS_URL,
      timeoutMs: 15_000,
    });
    this.owner = options.instanceId ?? `${config.SYNCER_INSTANCE_ID ?? 'xero'}:${randomUUID().slice(0, 8)}`;
  }

  /** The scopes requested at consent (XERO_SCOPE_SET). */
  scopes(): string {
    return this.config.XERO_SCOPE_SET === 'broad' ? BROAD_SCOPES : GRANULAR_SCOPES;
  }

  /**
   * Starts a consent: returns Xero's authorize URL with a one-time state and a PKCE challenge. `binding`
   * identifies the admin's request (e.g. their session or API-key id); the callback must present the same.
   */
  async startAuthorization(binding: string): Promise<AuthorizationStart> {
    const { clientId, redirectUri } = this.appCredentials(true);
    const id = randomUUID();
    const state = randomSecret(24);
    const verifier = randomSecret(48);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const expiresAt = new Date(Date.now() + AUTHORIZE_TTL_MS);
    await this.connections.deleteExpiredAuthorizations();
    await this.connections.create({
      id,
      kind: 'oauth',
      status: 'authorizing',
      tenants: [],
      stateHash: sha256Hex(state),
      bindingHash: sha256Hex(binding),
      codeVerifierSealed: this.secretBox().encrypt(verifier, id),
      authorizeExpiresAt: expiresAt,
    });
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri!,
      scope: this.scopes(),
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    return {
      authorizeUrl: `${this.config.XERO_LOGIN_URL.replace(/\/$/, '')}/identity/connect/authorize?${query.toString()}`,
      state,
      expiresAt,
    };
  }

  /** Finishes a consent (Xero redirected back with code + state): tokens stored, tenants recorded. */
  async completeAuthorization(params: {
    code?: string;
    state?: string;
    error?: string;
    binding: string;
  }): Promise<XeroConnectionView> {
    if (params.error) throw new XeroError('UNAUTHORIZED', `Xero consent was not given: ${params.error}`);
    if (!params.code || !params.state) throw new XeroError('VALIDATION', 'callback needs code and state');
    const pending = await this.connections.findByStateHash(sha256Hex(params.state));
    if (!pending || !pending.bindingHash || !safeEqual(pending.bindingHash, sha256Hex(params.binding))) {
      throw new XeroError('UNAUTHORIZED', 'unknown or foreign authorization state');
    }
    if (!pending.authorizeExpiresAt || pending.authorizeExpiresAt < new Date()) {
      throw new XeroError('UNAUTHORIZED', 'authorization expired; start again');
    }
    const { clientId, clientSecret, redirectUri } = this.appCredentials(true);
    const verifier = this.secretBox().decrypt(pending.codeVerifierSealed!, pending.id);
    const set = await this.identity.token(clientId, clientSecret, {
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: redirectUri!,
      code_verifier: verifier,
    });
    const tenants = await this.identity.connections(set.access_token);
    await this.connections.completeAuthorization(
      pending.id,
      tenantRefs(tenants),
      this.sealTokens(pending.id, set, undefined),
    );
    for (const t of tenants) await this.connections.detachTenantFromOthers(t.tenantId, pending.id);
    return this.view((await this.connections.findById(pending.id))!);
  }

  /** Adds a custom connection (client_credentials; one org, no refresh token). */
  async connectCustom(clientId: string, clientSecret: string): Promise<XeroConnectionView> {
    const set = await this.identity.token(clientId, clientSecret, { grant_type: 'client_credentials' });
    const tenants = await this.identity.connections(set.access_token);
    if (tenants.length === 0) throw new XeroError('VALIDATION', 'the custom connection reaches no organisation');
    const id = randomUUID();
    await this.connections.create({
      id,
      kind: 'custom',
      status: 'connected',
      tenants: tenantRefs(tenants),
      clientId,
      clientSecretSealed: this.secretBox().encrypt(clientSecret, id),
      ...this.sealTokens(id, set, undefined),
    });
    for (const t of tenants) await this.connections.detachTenantFromOthers(t.tenantId, id);
    return this.view((await this.connections.findById(id))!);
  }

  /** Every connection with its orgs and token health. */
  async list(): Promise<XeroConnectionView[]> {
    return (await this.connections.list()).map((c) => this.view(c));
  }

  /** Whether a tenant can be called now (connected), for delivery to defer early. */
  async tenantStatus(tenantId: string): Promise<'connected' | 'disconnected' | 'not-connected'> {
    const c = await this.connections.findByTenant(tenantId);
    if (!c) return 'not-connected';
    return c.status === 'connected' ? 'connected' : 'disconnected';
  }

  /** Disconnects an org: Xero's connection is removed (best effort) and its token set forgotten when unused. */
  async disconnect(tenantId: string, reason = 'disconnected by an administrator'): Promise<void> {
    const c = await this.connections.findByTenant(tenantId);
    if (!c) throw new XeroError('NOT_CONNECTED', `org ${tenantId} is not connected`);
    const ref = c.tenants.find((t) => t.tenantId === tenantId);
    if (c.status === 'connected' && ref?.xeroConnectionId) {
      try {
        await this.identity.deleteConnection(await this.accessToken(tenantId), ref.xeroConnectionId);
      } catch (err) {
        this.logger.warn(`could not remove Xero connection for ${tenantId}: ${(err as Error).message}`);
      }
    }
    await this.connections.markDisconnected(c.id, reason);
    this.cache.delete(tenantId);
  }

  /** Binds a store to an org (or unbinds with undefined). */
  async bindStore(storeId: string, tenantId: string | undefined, actor: string): Promise<StoreSettings> {
    if (tenantId && (await this.tenantStatus(tenantId)) === 'not-connected') {
      throw new XeroError('NOT_CONNECTED', `org ${tenantId} is not connected`);
    }
    return this.settings.bindTenant(storeId, tenantId, actor);
  }

  async recordShortCode(tenantId: string, shortCode: string): Promise<void> {
    const c = await this.connections.findByTenant(tenantId);
    if (c) await this.connections.setShortCode(c.id, tenantId, shortCode);
  }

  async shortCode(tenantId: string): Promise<string | undefined> {
    const c = await this.connections.findByTenant(tenantId);
    return c?.tenants.find((t) => t.tenantId === tenantId)?.shortCode;
  }

  /**
   * An access token for calls to `tenantId`, refreshed if it expires within a minute. With `staleToken` (the
   * one a 401 came back for), refreshes unless another caller already replaced it.
   * @throws XeroError NOT_CONNECTED / DISCONNECTED (deliveries defer), UNAVAILABLE (identity down).
   */
  async accessToken(tenantId: string, staleToken?: string): Promise<string> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.token !== staleToken && cached.until > Date.now()) return cached.token;
    this.cache.delete(tenantId);
    const token = await this.loadAccessToken(tenantId, staleToken);
    this.cache.set(tenantId, { token, until: Date.now() + 5 * 60_000 });
    return token;
  }

  private async loadAccessToken(tenantId: string, staleToken?: string): Promise<string> {
    const c = await this.connections.findByTenant(tenantId);
    if (!c) throw new XeroError('NOT_CONNECTED', `org ${tenantId} is not connected to Xero`);
    if (c.status !== 'connected') {
      throw new XeroError(
        'DISCONNECTED',
        `org ${tenantId} is disconnected (${c.disconnectedReason ?? 'reconnect it'}); its work waits`,
      );
    }
    const current = this.usableToken(c);
    if (current && current !== staleToken) return current;
    let flight = this.inProcess.get(c.id);
    if (!flight) {
      flight = this.refreshShared(c.id, staleToken).finally(() => this.inProcess.delete(c.id));
      this.inProcess.set(c.id, flight);
    }
    return flight;
  }

  /** Refreshes connections whose refresh token is older than `days`, so idle orgs never hit the 60-day end. */
  async keepAlive(days = 30): Promise<number> {
    let refreshed = 0;
    for (const c of await this.connections.list()) {
      if (c.kind !== 'oauth' || c.status !== 'connected' || !c.refreshTokenIssuedAt) continue;
      if (Date.now() - c.refreshTokenIssuedAt.getTime() < days * DAY_MS) continue;
      const tenant = c.tenants[0]?.tenantId;
      if (!tenant) continue;
      await this.accessToken(tenant, this.usableToken(c));
      refreshed++;
    }
    return refreshed;
  }

  private usableToken(c: XeroConnectionRecord): string | undefined {
    if (!c.accessTokenSealed || !c.accessTokenExpiresAt) return undefined;
    if (c.accessTokenExpiresAt.getTime() - ACCESS_TOKEN_MARGIN_MS <= Date.now()) return undefined;
    return this.secretBox().decrypt(c.accessTokenSealed, c.id);
  }

  private async refreshShared(connectionId: string, staleToken: string | undefined): Promise<string> {
    const leaseMs = this.options.tokenLeaseMs ?? 30_000;
    const deadline = Date.now() + leaseMs + 15_000;
    while (Date.now() < deadline) {
      if (await this.leases.tryAcquire(connectionId, this.owner, leaseMs)) {
        try {
          const c = await this.connections.findById(connectionId);
          if (!c) throw new XeroError('NOT_CONNECTED', 'connection removed');
          if (c.status !== 'connected')
            throw new XeroError('DISCONNECTED', `connection disconnected (${c.disconnectedReason ?? ''})`);
          const fresh = this.usableToken(c);
          if (fresh && fresh !== staleToken) return fresh; // another instance refreshed while we waited
          return await this.refreshUnderLease(c);
        } finally {
          await this.leases.release(connectionId, this.owner);
        }
      }
      await sleep(50 + Math.random() * 100);
      const c = await this.connections.findById(connectionId);
      if (c && c.status !== 'connected')
        throw new XeroError('DISCONNECTED', `connection disconnected (${c.disconnectedReason ?? ''})`);
      const fresh = c ? this.usableToken(c) : undefined;
      if (fresh && fresh !== staleToken) return fresh;
    }
    throw new XeroError('UNAVAILABLE', 'token refresh is taking too long (another instance holds the lease)');
  }

  private async refreshUnderLease(c: XeroConnectionRecord): Promise<string> {
    let set: XeroTokenSet;
    try {
      if (c.kind === 'custom') {
        const secret = this.secretBox().decrypt(c.clientSecretSealed!, c.id);
        set = await this.identity.token(c.clientId!, secret, { grant_type: 'client_credentials' });
      } else {
        set = await this.refreshWithGrace(c);
      }
    } catch (err) {
      if (
        err instanceof XeroGrantError &&
        (err.oauthError === 'invalid_grant' ||
          err.oauthError === 'invalid_client' ||
          err.oauthError === 'unauthorized_client')
      ) {
        await this.connections.markDisconnected(
          c.id,
          `Xero refused the token refresh (${err.oauthError}); reconnect the org`,
        );
        this.logger.warn(`connection ${c.id} disconnected: ${err.message}`);
        throw new XeroError('DISCONNECTED', `org disconnected: ${err.message}; its work waits until it is reconnected`);
      }
      throw err;
    }
    const tokens = this.sealTokens(c.id, set, c);
    // Persist the rotated refresh token before anyone uses the new access token: losing it would lose the org.
    await this.connections.saveTokens(c.id, tokens);
    return set.access_token;
  }

  /** refresh_token grant; a lost answer (network/5xx) is retried with the same token inside Xero's grace. */
  private async refreshWithGrace(c: XeroConnectionRecord): Promise<XeroTokenSet> {
    const { clientId, clientSecret } = this.appCredentials(false);
    if (!c.refreshTokenSealed) throw new XeroGrantError('invalid_grant', 'no refresh token stored');
    const refreshToken = this.secretBox().decrypt(c.refreshTokenSealed, c.id);
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.identity.token(clientId, clientSecret, {
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
        });
      } catch (err) {
        const lost = err instanceof XeroError && err.code === 'UNAVAILABLE';
        if (!lost || attempt >= 4 || Date.now() - startedAt > REFRESH_GRACE_MS / 2) throw err;
        this.logger.warn(
          `refresh answer lost for connection ${c.id} (attempt ${attempt}); retrying within Xero's grace`,
        );
        await sleep(200 * attempt);
      }
    }
  }

  private sealTokens(id: string, set: XeroTokenSet, previous: XeroConnectionRecord | undefined): XeroTokenFields {
    const box = this.secretBox();
    const now = new Date();
    const fields: XeroTokenFields = {
      accessTokenSealed: box.encrypt(set.access_token, id),
      accessTokenExpiresAt: new Date(now.getTime() + set.expires_in * 1000),
      lastRefreshAt: now,
      ...(set.scope ? { scopes: set.scope } : {}),
    };
    if (set.refresh_token) {
      fields.refreshTokenSealed = box.encrypt(set.refresh_token, id);
      fields.refreshTokenIssuedAt = now;
      if (previous?.refreshTokenSealed) {
        fields.previousRefreshTokenSealed = previous.refreshTokenSealed;
        fields.previousRefreshTokenRotatedAt = now;
      }
    }
    return fields;
  }

  private view(c: XeroConnectionRecord): XeroConnectionView {
    const issued = c.refreshTokenIssuedAt;
    const expires = issued ? new Date(issued.getTime() + REFRESH_TOKEN_LIFETIME_DAYS * DAY_MS) : undefined;
    let warning: string | undefined;
    if (c.status === 'disconnected') warning = `disconnected: ${c.disconnectedReason ?? 'reconnect the org'}`;
    else if (issued && Date.now() - issued.getTime() > REFRESH_WARN_DAYS * DAY_MS) {
      const left = Math.max(0, Math.floor((expires!.getTime() - Date.now()) / DAY_MS));
      warning = `refresh token unused for ${Math.floor((Date.now() - issued.getTime()) / DAY_MS)} days; it expires in ${left} days unless refreshed`;
    }
    return {
      connectionId: c.id,
      kind: c.kind,
      status: c.status === 'connected' ? 'connected' : 'disconnected',
      tenants: c.tenants.map((t) => ({ tenantId: t.tenantId, tenantName: t.tenantName, shortCode: t.shortCode })),
      scopes: c.scopes,
      accessTokenExpiresAt: c.accessTokenExpiresAt,
      refreshTokenIssuedAt: issued,
      refreshTokenExpiresAt: c.kind === 'oauth' ? expires : undefined,
      warning,
      disconnectedReason: c.disconnectedReason,
    };
  }

  private appCredentials(needRedirect: boolean): { clientId: string; clientSecret: string; redirectUri?: string } {
    const { XERO_CLIENT_ID: clientId, XERO_CLIENT_SECRET: clientSecret, XERO_REDIRECT_URI: redirectUri } = this.config;
    if (!clientId || !clientSecret || (needRedirect && !redirectUri)) {
      throw new XeroError(
        'NOT_CONNECTED',
        'XERO_CLIENT_ID, XERO_CLIENT_SECRET and XERO_REDIRECT_URI must be configured for OAuth',
      );
    }
    return { clientId, clientSecret, redirectUri };
  }

  private secretBox(): SecretBox {
    if (!this.box) {
      if (!this.config.TOKEN_ENCRYPTION_KEY)
        throw new XeroError('NOT_CONNECTED', 'TOKEN_ENCRYPTION_KEY must be configured to store Xero tokens');
      this.box = new SecretBox(this.config.TOKEN_ENCRYPTION_KEY);
    }
    return this.box;
  }
}

/** Tenant refs from /connections (the grace window constant is exported for tests and docs). */
function tenantRefs(tenants: XeroTenantConnection[]): XeroTenantRef[] {
  return tenants.map((t) => ({
    tenantId: t.tenantId,
    tenantName: t.tenantName,
    tenantType: t.tenantType,
    xeroConnectionId: t.id,
  }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { REFRESH_GRACE_MS };
