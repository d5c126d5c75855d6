import { XeroError } from '../xero.errors';

/** A token endpoint answer. */
export interface XeroTokenSet {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type?: string;
  scope?: string;
}

/** One entry of GET /connections. */
export interface XeroTenantConnection {
  id: string;
  tenantId: string;
  tenantName?: string;
  tenantType?: string;
}

/** The token endpoint refused a grant (invalid_grant means the refresh token is dead: re-consent needed). */
export class XeroGrantError extends XeroError {
  constructor(
    readonly oauthError: string,
    description?: string,
  ) {
    super(
      'UNAUTHORIZED',
      `Xero token endpoint refused the grant: ${oauthError}${description ? ` (${description})` : ''}`,
    );
  }
}

export interface IdentityEndpoints {
  identityUrl: string;
  connectionsUrl: string;
  timeoutMs: number;
}

/**
 * Xero's identity calls (token grants, /connections) done with fetch against configured URLs: xero-node
 * hardcodes identity.xero.com and api.xero.com/connections, so the same code could not reach the sandbox.
 */
export class XeroIdentityClient {
  constructor(private readonly endpoints: IdentityEndpoints) {}

  /** POST /connect/token with HTTP Basic client authentication. Network failures → UNAVAILABLE. */
  async token(clientId: string, clientSecret: string, form: Record<string, string>): Promise<XeroTokenSet> {
    const res = await this.fetch(`${this.endpoints.identityUrl.replace(/\/$/, '')}/connect/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(form).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as Partial<XeroTokenSet> & {
      error?: string;
      error_description?: string;
    };
    if (res.status >= 500)
      throw new XeroError('UNAVAILABLE', `Xero token endpoint answered ${res.status}`, { status: res.status });
    if (!res.ok || !body.access_token)
      throw new XeroGrantError(body.error ?? `http_${res.status}`, body.error_description);
    return { ...body, access_token: body.access_token, expires_in: Number(body.expires_in ?? 1800) };
  }

  /** GET /connections: the tenants an access token reaches. */
  async connections(accessToken: string): Promise<XeroTenantConnection[]> {
    const res = await this.fetch(this.endpoints.connectionsUrl, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    });
    if (res.status >= 500)
      throw new XeroError('UNAVAILABLE', `Xero /connections answered ${res.status}`, { status: res.status });
    if (!res.ok)
      throw new XeroError('UNAUTHORIZED', `Xero /connections answered ${res.status}`, { status: res.status });
    return (await res.json()) as XeroTenantConnection[];
  }

  /** DELETE /connections/{id}: disconnects one tenant from the app. */
  async deleteConnection(accessToken: string, xeroConnectionId: string): Promise<void> {
    const res = await this.fetch(
      `${this.endpoints.connectionsUrl.replace(/\/$/, '')}/${encodeURIComponent(xeroConnectionId)}`,
      {
        method: 'DELETE',
        headers: { authorization: `Bearer ${accessToken}` },
      },
    );
    if (!res.ok && res.status !== 404)
      throw new XeroError('UNAVAILABLE', `Xero /connections delete answered ${res.status}`);
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(this.endpoints.timeoutMs) });
    } catch (err) {
      throw new XeroError('UNAVAILABLE', `Xero identity unreachable: ${(err as Error).message}`);
    }
  }
}
