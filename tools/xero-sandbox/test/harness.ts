import { AccountingApi, XeroClient } from 'xero-node';
import { RunningSandbox, SandboxOptions, SpecValidator, startSandbox } from '../src';
import type { CreateOrgInput } from '../src';

/** Thin JSON client for the sandbox's control API. */
export class Control {
  constructor(readonly url: string) {}

  async post<T = any>(path: string, body: unknown = {}): Promise<T> {
    const res = await fetch(`${this.url}/__sandbox${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`control ${path} → ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async get<T = any>(path: string): Promise<T> {
    const res = await fetch(`${this.url}/__sandbox${path}`);
    if (!res.ok) throw new Error(`control ${path} → ${res.status}`);
    return (await res.json()) as T;
  }

  async del(path: string): Promise<void> {
    await fetch(`${this.url}/__sandbox${path}`, { method: 'DELETE' });
  }

  dump(tenantId: string): Promise<any> {
    return this.get(`/orgs/${tenantId}/dump`);
  }

  counters(tenantId?: string): Promise<any> {
    return this.get(`/counters${tenantId ? `?tenantId=${tenantId}` : ''}`);
  }
}

/** POSTs a form to the sandbox's token endpoint with HTTP Basic client auth. */
export async function tokenRequest(
  url: string,
  client: { id: string; secret?: string },
  form: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (client.secret !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
  } else form = { ...form, client_id: client.id };
  const res = await fetch(`${url}/connect/token`, { method: 'POST', headers, body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json() };
}

/** A real xero-node client whose accounting calls go to the sandbox. */
export function xeroClientFor(url: string, accessToken: string, clientId = 'app', clientSecret = 'secret'): XeroClient {
  const xero = new XeroClient({ clientId, clientSecret, grantType: 'client_credentials' });
  xero.accountingApi.basePath = `${url}/api.xro/2.0`;
  xero.setTokenSet({ access_token: accessToken, expires_in: 1800, token_type: 'Bearer' });
  return xero;
}

export interface Harness {
  sandbox: RunningSandbox;
  url: string;
  control: Control;
  tenantId: string;
  xero: XeroClient;
  api: AccountingApi;
  accessToken: string;
  /** Headers for raw fetch calls to the accounting API. */
  headers: Record<string, string>;
  /** Fetches a fresh client_credentials token into `headers` (tokens last 30 Xero minutes: seconds at a fast clock). */
  renewToken(): Promise<void>;
  close(): Promise<void>;
}

let n = 0;

/**
 * Starts a sandbox on an ephemeral port with one organisation reached through a custom connection, and a real
 * xero-node client pointed at it.
 */
export async function startHarness(opts: SandboxOptions & { org?: Partial<CreateOrgInput> } = {}): Promise<Harness> {
  const { org: orgInput, ...sandboxOpts } = opts;
  const sandbox = await startSandbox({ port: 0, ...sandboxOpts });
  const control = new Control(sandbox.url);
  const org = await control.post('/orgs', { name: 'Test Store Ltd', currencies: ['USD'], ...orgInput });
  const clientId = `custom-${++n}`;
  await control.post('/custom-connections', { clientId, clientSecret: 'secret', tenantId: org.tenantId });
  const token = await tokenRequest(
    sandbox.url,
    { id: clientId, secret: 'secret' },
    { grant_type: 'client_credentials' },
  );
  const xero = xeroClientFor(sandbox.url, token.body.access_token, clientId);
  const headers: Record<string, string> = {
    authorization: `Bearer ${token.body.access_token}`,
    'xero-tenant-id': org.tenantId,
    'content-type': 'application/json',
  };
  return {
    sandbox,
    url: sandbox.url,
    control,
    tenantId: org.tenantId,
    xero,
    api: xero.accountingApi,
    accessToken: token.body.access_token,
    headers,
    renewToken: async () => {
      const fresh = await tokenRequest(
        sandbox.url,
        { id: clientId, secret: 'secret' },
        { grant_type: 'client_credentials' },
      );
      headers.authorization = `Bearer ${fresh.body.access_token}`;
    },
    close: () => sandbox.close(),
  };
}

/** What xero-node rejected with (it rejects non-2xx answers with a JSON string). */
export interface XeroFailure {
  status: number | undefined;
  body: any;
  headers: Record<string, string>;
}

/** Awaits a xero-node call that must fail and parses its rejection. */
export async function xeroError(call: Promise<unknown>): Promise<XeroFailure> {
  try {
    await call;
  } catch (e) {
    if (typeof e !== 'string') throw e;
    const parsed = JSON.parse(e);
    return { status: parsed.response.statusCode, body: parsed.response.body, headers: parsed.response.headers ?? {} };
  }
  throw new Error('expected the Xero call to fail');
}

/** Asserts a raw answer conforms to the spec's 200 response schema for the operation. */
export async function expectSpecResponse(op: string, body: unknown): Promise<void> {
  const spec = await SpecValidator.load();
  expect(spec.validateResponse(op, body)).toEqual([]);
}

/** A minimal authorised sales invoice in xero-node's model shape. */
export function salesInvoice(number: string, extra: Record<string, unknown> = {}): any {
  return {
    type: 'ACCREC',
    contact: { name: 'Walk-in Customer' },
    invoiceNumber: number,
    date: '2026-01-15',
    dueDate: '2026-02-15',
    lineItems: [{ description: 'Widget', quantity: 2, unitAmount: 10, accountCode: '200', taxType: 'OUTPUT2' }],
    status: 'AUTHORISED',
    ...extra,
  };
}
