import { randomBytes } from 'node:crypto';
import { startSandbox, type RunningSandbox } from '@xero-sync/xero-sandbox';

/** Control-API client for a running Xero sandbox (tests only). */
export class SandboxControl {
  constructor(readonly url: string) {}

  private async req<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/__sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  createOrg(input: {
    name: string;
    baseCurrency?: string;
    currencies?: string[];
    tier?: 'standard' | 'starter';
    /** Tax rates besides the sandbox's defaults (Xero's TaxRate fields). */
    taxRates?: {
      TaxType: string;
      Name: string;
      Rate: number;
      ReportTaxType: string;
      CanApplyToRevenue: boolean;
      CanApplyToExpenses: boolean;
    }[];
  }) {
    return this.req<{ tenantId: string; shortCode: string }>('POST', '/orgs', input);
  }
  /**
   * Adds accounts to an org (replacing any with the same Code), e.g. a liability with payments enabled; an account
   * replaced with `Status: 'ARCHIVED'` is archived (Xero then refuses it on documents and items).
   */
  seedAccounts(
    tenantId: string,
    accounts: {
      Code: string;
      Name: string;
      Type: string;
      TaxType?: string;
      EnablePaymentsToAccount?: boolean;
      Status?: 'ACTIVE' | 'ARCHIVED';
    }[],
  ) {
    return this.req('POST', `/orgs/${tenantId}/seed`, { accounts });
  }
  addClient(clientId: string, clientSecret: string, redirectUris: string[]) {
    return this.req('POST', '/clients', { clientId, clientSecret, redirectUris });
  }
  addCustomConnection(clientId: string, clientSecret: string, tenantId: string) {
    return this.req('POST', '/custom-connections', { clientId, clientSecret, tenantId });
  }
  addFault(fault: Record<string, unknown>) {
    return this.req('POST', '/faults', fault);
  }
  clearFaults() {
    return this.req('DELETE', '/faults');
  }
  counters(tenantId?: string) {
    return this.req<{
      total: number;
      byEndpoint: Record<string, number>;
      byStatus: Record<string, number>;
      http429: number;
      idempotentReplays: number;
      maxConcurrentSeen: number;
      tokenRefreshes: number;
    }>('GET', `/counters${tenantId ? `?tenantId=${tenantId}` : ''}`);
  }
  dump(tenantId: string) {
    return this.req<{
      contacts: Record<string, any>[];
      items: Record<string, any>[];
      invoices: Record<string, any>[];
      payments: Record<string, any>[];
      creditNotes: Record<string, any>[];
      allocations: Record<string, any>[];
    }>('GET', `/orgs/${tenantId}/dump`);
  }
  advanceTime(advanceMs: number) {
    return this.req('POST', '/time', { advanceMs });
  }
}

/** A sandbox on an ephemeral port with the env a libs/xero app needs to reach it. */
export interface TestSandbox {
  sandbox: RunningSandbox;
  control: SandboxControl;
  /** XERO_* URLs pointing at the sandbox, plus XERO_MINUTE_MS matching its time scale. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestSandbox(timeScale = 1): Promise<TestSandbox> {
  const sandbox = await startSandbox({ port: 0, timeScale });
  const url = sandbox.url;
  return {
    sandbox,
    control: new SandboxControl(url),
    env: {
      XERO_API_URL: `${url}/api.xro/2.0`,
      XERO_IDENTITY_URL: url,
      XERO_CONNECTIONS_URL: `${url}/connections`,
      XERO_LOGIN_URL: url,
      XERO_MINUTE_MS: String(Math.max(10, Math.round(60_000 / timeScale))),
    },
    close: () => sandbox.close(),
  };
}

/** A random client id/secret pair (never a real credential). */
export function testClientCredentials(): { clientId: string; clientSecret: string } {
  return { clientId: `c_${randomBytes(6).toString('hex')}`, clientSecret: randomBytes(24).toString('base64url') };
}

/** A random 32-byte key for TOKEN_ENCRYPTION_KEY. */
export function testEncryptionKey(): string {
  return randomBytes(32).toString('hex');
}
