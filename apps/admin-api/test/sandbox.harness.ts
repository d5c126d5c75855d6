import { randomBytes } from 'node:crypto';
import { startSandbox, RunningSandbox } from '@xero-sync/xero-sandbox';

export interface SandboxUnderTest {
  sandbox: RunningSandbox;
  clientId: string;
  clientSecret: string;
  /** The admin-api environment pointing libs/xero at this sandbox and its registered app. */
  env(adminUrlPort: number): Record<string, string>;
  createOrg(name: string): Promise<{ tenantId: string; shortCode: string }>;
}

/**
 * The Xero sandbox on an ephemeral port with an app registered for a redirect on `adminPort`. admin-api must
 * listen on that port, so tests reserve it first (see `reservePort`).
 */
export async function startXeroSandbox(adminPort: number): Promise<SandboxUnderTest> {
  const clientId = `t-${randomBytes(5).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const sandbox = await startSandbox({
    port: 0,
    clients: [{ clientId, clientSecret, redirectUris: [`http://127.0.0.1:${adminPort}/connections/callback`] }],
  });
  return {
    sandbox,
    clientId,
    clientSecret,
    env: (port) => ({
      XERO_API_URL: `${sandbox.url}/api.xro/2.0`,
      XERO_IDENTITY_URL: sandbox.url,
      XERO_CONNECTIONS_URL: `${sandbox.url}/connections`,
      XERO_LOGIN_URL: sandbox.url,
      XERO_CLIENT_ID: clientId,
      XERO_CLIENT_SECRET: clientSecret,
      XERO_REDIRECT_URI: `http://127.0.0.1:${port}/connections/callback`,
    }),
    createOrg: async (name) => {
      const res = await fetch(`${sandbox.url}/__sandbox/orgs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name, baseCurrency: 'NZD', currencies: ['USD', 'AUD'] }),
      });
      if (!res.ok) throw new Error(`sandbox org: HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as { tenantId: string; shortCode: string };
    },
  };
}
