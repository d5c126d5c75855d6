import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { XeroConnectionRepository } from '@xero-sync/persistence';
import { randomSecret, safeEqual, sha256Hex } from '@xero-sync/security';
import { XeroError } from '../xero.errors';
import { tenantRefs, toConnectionView, XeroConnectionView } from './connection-view';
import { XeroTokenVault } from './xero-token-vault';

export const GRANULAR_SCOPES =
  'openid profile email offline_access accounting.contacts accounting.settings accounting.invoices accounting.payments';
export const BROAD_SCOPES = 'offline_access accounting.transactions accounting.contacts accounting.settings';

const AUTHORIZE_TTL_MS = 10 * 60_000;

export interface AuthorizationStart {
  authorizeUrl: string;
  state: string;
  expiresAt: Date;
}

/**
 * Getting a Xero connection in the first place: the OAuth2 code flow (one-time state bound to the admin's request,
 * PKCE S256, code exchanged for tokens, orgs recorded) and custom connections (client_credentials). What happens
 * to the tokens afterwards is XeroConnectionService's job.
 */
@Injectable()
export class XeroConsentService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly connections: XeroConnectionRepository,
    private readonly vault: XeroTokenVault,
  ) {}

  /** The scopes requested at consent (XERO_SCOPE_SET). */
  scopes(): string {
    return this.config.XERO_SCOPE_SET === 'broad' ? BROAD_SCOPES : GRANULAR_SCOPES;
  }

  /**
   * Starts a consent: returns Xero's authorize URL with a one-time state and a PKCE challenge. `binding`
   * identifies the admin's request (e.g. their session or API-key id); the callback must present the same.
   */
  async startAuthorization(binding: string): Promise<AuthorizationStart> {
    const { clientId, redirectUri } = this.vault.appCredentials(true);
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
      codeVerifierSealed: this.vault.seal(verifier, id),
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
    const { clientId, clientSecret, redirectUri } = this.vault.appCredentials(true);
    const verifier = this.vault.open(pending.codeVerifierSealed!, pending.id);
    const set = await this.vault.identity.token(clientId, clientSecret, {
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: redirectUri!,
      code_verifier: verifier,
    });
    const tenants = await this.vault.identity.connections(set.access_token);
    await this.connections.completeAuthorization(
      pending.id,
      tenantRefs(tenants),
      this.vault.sealTokens(pending.id, set, undefined),
    );
    for (const t of tenants) await this.connections.detachTenantFromOthers(t.tenantId, pending.id);
    return toConnectionView((await this.connections.findById(pending.id))!);
  }

  /** Adds a custom connection (client_credentials; one org, no refresh token). */
  async connectCustom(clientId: string, clientSecret: string): Promise<XeroConnectionView> {
    const set = await this.vault.identity.token(clientId, clientSecret, { grant_type: 'client_credentials' });
    const tenants = await this.vault.identity.connections(set.access_token);
    if (tenants.length === 0) throw new XeroError('VALIDATION', 'the custom connection reaches no organisation');
    const id = randomUUID();
    await this.connections.create({
      id,
      kind: 'custom',
      status: 'connected',
      tenants: tenantRefs(tenants),
      clientId,
      clientSecretSealed: this.vault.seal(clientSecret, id),
      ...this.vault.sealTokens(id, set, undefined),
    });
    for (const t of tenants) await this.connections.detachTenantFromOthers(t.tenantId, id);
    return toConnectionView((await this.connections.findById(id))!);
  }
}
