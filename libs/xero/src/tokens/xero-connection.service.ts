import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import {
  KeyedGroupCommit,
  leaseKeys,
  LeaseRepository,
  StoreSettings,
  StoreSettingsRepository,
  XeroConnectionRecord,
  XeroConnectionRepository,
} from '@xero-sync/persistence';
import { XeroError } from '../xero.errors';
import { XERO_OPTIONS, XeroModuleOptions } from '../xero.options';
import { DAY_MS, toConnectionView, XeroConnectionView } from './connection-view';
import { XeroGrantError, XeroTokenSet } from './xero-identity.client';
import { refreshMarginMs, XeroTokenVault } from './xero-token-vault';

/** Xero keeps a rotated refresh token usable for 30 minutes (lost-answer grace). */
const REFRESH_GRACE_MS = 30 * 60_000;

/** How long an org found connected is taken as connected without asking MongoDB again (see lookUpTenant). */
export const TENANT_LOOKUP_TTL_MS = 15_000;
/** Longest an access token is kept in hand without looking at the stored connection again. */
const TOKEN_CACHE_MAX_MS = 5 * 60_000;

/** An access token and until when (epoch ms) it is to be used. */
interface UsableToken {
  token: string;
  until: number;
}

/**
 * Living with Xero connections once made (XeroConsentService makes them): access tokens for calls, refreshed
 * single-flight across instances (a `token:<connection>` lease; the new refresh token is persisted before the
 * access token is used; a lost refresh answer is retried with the same refresh token inside Xero's 30-minute
 * grace; invalid_grant marks the connection disconnected so its work waits instead of failing), keep-alive of idle
 * refresh tokens, connection status and org short codes, disconnecting, and binding stores to orgs.
 */
@Injectable()
export class XeroConnectionService {
  private readonly logger = new Logger(XeroConnectionService.name);
  /** This service as a lease holder: the instance id plus a random part, so two apps in one process differ. */
  private readonly owner: string;
  private readonly inProcess = new Map<string, Promise<UsableToken>>();
  /** Access tokens in hand per tenant, so a call costs no database read while its token is valid. */
  private readonly cache = new Map<string, { token: string; until: number }>();
  /** Orgs found connected, with their short code, until `until` (see TENANT_LOOKUP_TTL_MS). */
  private readonly connected = new Map<string, { shortCode?: string; until: number }>();
  /** Connection look-ups by tenant, read together (see lookUpTenant). */
  private readonly lookups = new KeyedGroupCommit<string, XeroConnectionRecord | null>(
    async (_key, tenantIds) => {
      const found = await this.connections.findByTenants([...new Set(tenantIds)]);
      return tenantIds.map((id) => found.get(id) ?? null);
    },
    { maxBatch: 100, gatherMs: 0 },
  );

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly connections: XeroConnectionRepository,
    private readonly leases: LeaseRepository,
    private readonly settings: StoreSettingsRepository,
    private readonly vault: XeroTokenVault,
    @Optional() @Inject(XERO_OPTIONS) private readonly options: XeroModuleOptions = {},
  ) {
    this.owner = `${config.SYNCER_INSTANCE_ID}:${randomUUID().slice(0, 8)}`;
  }

  /** Every connection with its orgs and token health. */
  async list(): Promise<XeroConnectionView[]> {
    return (await this.connections.list()).map((c) => toConnectionView(c));
  }

  /** Whether a tenant can be called now (connected), for delivery to defer early. */
  async tenantStatus(tenantId: string): Promise<'connected' | 'disconnected' | 'not-connected'> {
    if ((this.connected.get(tenantId)?.until ?? 0) > Date.now()) return 'connected';
    const c = await this.lookUpTenant(tenantId);
    if (!c) return 'not-connected';
    return c.status === 'connected' ? 'connected' : 'disconnected';
  }

  /**
   * The org's connection, remembered for TENANT_LOOKUP_TTL_MS while connected: every delivery asks for the org's
   * status and short code, and on FerretDB v1 the look-up by tenant reads every connection, so with many orgs
   * asking per delivery was most of the database's work (with a TTL of 1 s, a small org's every delivery read it
   * again). A disconnect in this process is seen at once; one in another process is seen by the first delivery
   * that needs a token the store no longer has (a token in hand that Xero refuses is a 401, and the refresh after it
   * finds the connection disconnected), or within the TTL. Work meanwhile defers, as it does after. Look-ups asked for
   * while one is being read go together in the next read (`lookups`): with many small orgs each delivery asks for
   * its own org, and on FerretDB v1 one read of ten orgs costs what one read of one does.
   */
  private async lookUpTenant(tenantId: string): Promise<XeroConnectionRecord | null> {
    const c = await this.lookups.submit('tenants', tenantId);
    if (c?.status === 'connected') {
      const shortCode = c.tenants.find((t) => t.tenantId === tenantId)?.shortCode;
      if (this.connected.size >= 10_000) this.connected.clear();
      this.connected.set(tenantId, { shortCode, until: Date.now() + TENANT_LOOKUP_TTL_MS });
    } else this.connected.delete(tenantId);
    return c;
  }

  /** Disconnects an org: Xero's connection is removed (best effort) and its token set forgotten when unused. */
  async disconnect(tenantId: string, reason = 'disconnected by an administrator'): Promise<void> {
    const c = await this.connections.findByTenant(tenantId);
    if (!c) throw new XeroError('NOT_CONNECTED', `org ${tenantId} is not connected`);
    const ref = c.tenants.find((t) => t.tenantId === tenantId);
    if (c.status === 'connected' && ref?.xeroConnectionId) {
      try {
        await this.vault.identity.deleteConnection(await this.accessToken(tenantId), ref.xeroConnectionId);
      } catch (err) {
        this.logger.warn(`could not remove Xero connection for ${tenantId}: ${(err as Error).message}`);
      }
    }
    await this.connections.markDisconnected(c.id, reason);
    this.cache.delete(tenantId);
    this.connected.clear();
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
    this.connected.delete(tenantId);
  }

  async shortCode(tenantId: string): Promise<string | undefined> {
    // An org without a short code (none recorded yet) is remembered as such too: a delivery asks for it every time.
    const known = this.connected.get(tenantId);
    if (known && known.until > Date.now()) return known.shortCode;
    const c = await this.lookUpTenant(tenantId);
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
    let usable: UsableToken;
    try {
      usable = await this.loadAccessToken(tenantId, staleToken);
    } catch (err) {
      // The stored connection says the org cannot be called: the next delivery is told so before any call.
      if (err instanceof XeroError && (err.code === 'DISCONNECTED' || err.code === 'NOT_CONNECTED'))
        this.connected.delete(tenantId);
      throw err;
    }
    // Kept until the token's own end (less the margin), not past it: a token kept longer came back as a 401 first.
    this.cache.set(tenantId, { token: usable.token, until: Math.min(Date.now() + TOKEN_CACHE_MAX_MS, usable.until) });
    return usable.token;
  }

  /** Refreshes connections whose refresh token is older than `days`, so idle orgs never hit the 60-day end. */
  async keepAlive(days = 30): Promise<number> {
    let refreshed = 0;
    for (const c of await this.connections.list()) {
      if (c.kind !== 'oauth' || c.status !== 'connected' || !c.refreshTokenIssuedAt) continue;
      if (Date.now() - c.refreshTokenIssuedAt.getTime() < days * DAY_MS) continue;
      const tenant = c.tenants[0]?.tenantId;
      if (!tenant) continue;
      await this.accessToken(tenant, this.vault.usableToken(c));
      refreshed++;
    }
    return refreshed;
  }

  private async loadAccessToken(tenantId: string, staleToken?: string): Promise<UsableToken> {
    const c = await this.connections.findByTenant(tenantId);
    if (!c) throw new XeroError('NOT_CONNECTED', `org ${tenantId} is not connected to Xero`);
    if (c.status !== 'connected') {
      throw new XeroError(
        'DISCONNECTED',
        `org ${tenantId} is disconnected (${c.disconnectedReason ?? 'reconnect it'}); its work waits`,
      );
    }
    const current = this.vault.usable(c);
    if (current && current.token !== staleToken) return current;
    let flight = this.inProcess.get(c.id);
    if (!flight) {
      flight = this.refreshShared(c.id, staleToken).finally(() => this.inProcess.delete(c.id));
      this.inProcess.set(c.id, flight);
    }
    return flight;
  }

  private async refreshShared(connectionId: string, staleToken: string | undefined): Promise<UsableToken> {
    const leaseMs = this.options.tokenLeaseMs ?? 30_000;
    const deadline = Date.now() + leaseMs + 15_000;
    while (Date.now() < deadline) {
      const lease = await this.leases.acquire(leaseKeys.token(connectionId), this.owner, leaseMs);
      if (lease) {
        try {
          const c = await this.connections.findById(connectionId);
          if (!c) throw new XeroError('NOT_CONNECTED', 'connection removed');
          if (c.status !== 'connected')
            throw new XeroError('DISCONNECTED', `connection disconnected (${c.disconnectedReason ?? ''})`);
          const fresh = this.vault.usable(c);
          if (fresh && fresh.token !== staleToken) return fresh; // another instance refreshed while we waited
          return await this.refreshUnderLease(c);
        } finally {
          await this.leases.release(lease);
        }
      }
      await sleep(50 + Math.random() * 100);
      const c = await this.connections.findById(connectionId);
      if (c && c.status !== 'connected')
        throw new XeroError('DISCONNECTED', `connection disconnected (${c.disconnectedReason ?? ''})`);
      const fresh = c ? this.vault.usable(c) : undefined;
      if (fresh && fresh.token !== staleToken) return fresh;
    }
    throw new XeroError('UNAVAILABLE', 'token refresh is taking too long (another instance holds the lease)');
  }

  private async refreshUnderLease(c: XeroConnectionRecord): Promise<UsableToken> {
    let set: XeroTokenSet;
    try {
      if (c.kind === 'custom') {
        const secret = this.vault.open(c.clientSecretSealed!, c.id);
        set = await this.vault.identity.token(c.clientId!, secret, { grant_type: 'client_credentials' });
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
        this.connected.clear();
        this.logger.warn(`connection ${c.id} disconnected: ${err.message}`);
        throw new XeroError('DISCONNECTED', `org disconnected: ${err.message}; its work waits until it is reconnected`);
      }
      throw err;
    }
    const issuedAt = Date.now();
    const tokens = this.vault.sealTokens(c.id, set, c);
    // Persist the rotated refresh token before anyone uses the new access token: losing it would lose the org.
    await this.connections.saveTokens(c.id, tokens);
    const lifetimeMs = set.expires_in * 1000;
    return { token: set.access_token, until: issuedAt + lifetimeMs - refreshMarginMs(lifetimeMs) };
  }

  /** refresh_token grant; a lost answer (network/5xx) is retried with the same token inside Xero's grace. */
  private async refreshWithGrace(c: XeroConnectionRecord): Promise<XeroTokenSet> {
    const { clientId, clientSecret } = this.vault.appCredentials(false);
    if (!c.refreshTokenSealed) throw new XeroGrantError('invalid_grant', 'no refresh token stored');
    const refreshToken = this.vault.open(c.refreshTokenSealed, c.id);
    const startedAt = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.vault.identity.token(clientId, clientSecret, {
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
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export { REFRESH_GRACE_MS };
