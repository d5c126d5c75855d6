import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { XeroConnectionRecord, XeroTokenFields } from '@xero-sync/persistence';
import { SecretBox } from '@xero-sync/security';
import { XeroError } from '../xero.errors';
import { XeroIdentityClient, XeroTokenSet } from './xero-identity.client';

const ACCESS_TOKEN_MARGIN_MS = 60_000;
/** Xero's access tokens live 30 minutes; assumed for a stored token whose issue time is unknown. */
const ACCESS_TOKEN_LIFETIME_MS = 30 * 60_000;

/**
 * How long before its expiry an access token is replaced: a minute, or a tenth of its life when that is shorter.
 * A fixed minute made every token of the time-scaled sandbox (30 s at 60×) look expired when read, so each process
 * fetched a new one for every org on first use.
 */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(ACCESS_TOKEN_MARGIN_MS, Math.max(0, Math.floor(lifetimeMs / 10)));
}

/**
 * What consent and token refresh share: the app's OAuth credentials, Xero's identity endpoints, and tokens sealed
 * at rest (SecretBox, additional data = connection id, so a sealed token cannot be moved to another connection).
 */
@Injectable()
export class XeroTokenVault {
  /** Token grants and /connections against the configured identity URLs. */
  readonly identity: XeroIdentityClient;
  private box?: SecretBox;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.identity = new XeroIdentityClient({
      identityUrl: config.XERO_IDENTITY_URL,
      connectionsUrl: config.XERO_CONNECTIONS_URL,
      timeoutMs: 15_000,
    });
  }

  /** The app's client id and secret (and redirect URI for the code flow). @throws XeroError NOT_CONNECTED when unset. */
  appCredentials(needRedirect: boolean): { clientId: string; clientSecret: string; redirectUri?: string } {
    const { XERO_CLIENT_ID: clientId, XERO_CLIENT_SECRET: clientSecret, XERO_REDIRECT_URI: redirectUri } = this.config;
    if (!clientId || !clientSecret || (needRedirect && !redirectUri)) {
      throw new XeroError(
        'NOT_CONNECTED',
        'XERO_CLIENT_ID, XERO_CLIENT_SECRET and XERO_REDIRECT_URI must be configured for OAuth',
      );
    }
    return { clientId, clientSecret, redirectUri };
  }

  seal(value: string, connectionId: string): string {
    return this.secretBox().encrypt(value, connectionId);
  }

  open(sealed: string, connectionId: string): string {
    return this.secretBox().decrypt(sealed, connectionId);
  }

  /** The sealed fields to store for a token answer; a rotated refresh token keeps its predecessor for the grace. */
  sealTokens(id: string, set: XeroTokenSet, previous: XeroConnectionRecord | undefined): XeroTokenFields {
    const now = new Date();
    const fields: XeroTokenFields = {
      accessTokenSealed: this.seal(set.access_token, id),
      accessTokenExpiresAt: new Date(now.getTime() + set.expires_in * 1000),
      lastRefreshAt: now,
      ...(set.scope ? { scopes: set.scope } : {}),
    };
    if (set.refresh_token) {
      fields.refreshTokenSealed = this.seal(set.refresh_token, id);
      fields.refreshTokenIssuedAt = now;
      if (previous?.refreshTokenSealed) {
        fields.previousRefreshTokenSealed = previous.refreshTokenSealed;
        fields.previousRefreshTokenRotatedAt = now;
      }
    }
    return fields;
  }

  /**
   * Until when (epoch ms) the stored access token is to be used: its expiry less the refresh margin
   * (refreshMarginMs). Undefined when no token is stored.
   */
  usableUntil(c: XeroConnectionRecord): number | undefined {
    if (!c.accessTokenSealed || !c.accessTokenExpiresAt) return undefined;
    const expiresAt = c.accessTokenExpiresAt.getTime();
    const lifetimeMs = c.lastRefreshAt ? expiresAt - c.lastRefreshAt.getTime() : ACCESS_TOKEN_LIFETIME_MS;
    return expiresAt - refreshMarginMs(lifetimeMs);
  }

  /** The stored access token and until when it is to be used, while it is usable (see usableUntil). */
  usable(c: XeroConnectionRecord): { token: string; until: number } | undefined {
    const until = this.usableUntil(c);
    if (until === undefined || until <= Date.now()) return undefined;
    return { token: this.open(c.accessTokenSealed!, c.id), until };
  }

  /** The stored access token while it is usable (see usableUntil). */
  usableToken(c: XeroConnectionRecord): string | undefined {
    return this.usable(c)?.token;
  }

  private secretBox(): SecretBox {
    if (!this.box) {
      if (!this.config.TOKEN_ENCRYPTION_KEY)
        throw new XeroError('NOT_CONNECTED', 'TOKEN_ENCRYPTION_KEY must be configured to store Xero tokens');
      this.box = new SecretBox(this.config.TOKEN_ENCRYPTION_KEY, this.config.TOKEN_ENCRYPTION_OLD_KEYS);
    }
    return this.box;
  }
}
