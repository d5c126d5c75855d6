import { startSandbox } from './index';

/**
 * `npm run sandbox`: the sandbox on 127.0.0.1:4010 (SANDBOX_PORT), optionally on a fast clock (SANDBOX_TIME_SCALE)
 * and persisted (SANDBOX_SNAPSHOT). With SANDBOX_SEED_DEMO=1 it registers the app from XERO_CLIENT_ID /
 * XERO_CLIENT_SECRET / XERO_REDIRECT_URI and a demo organisation, so `npm run demo` can connect at once.
 */
async function main(): Promise<void> {
  const env = process.env;
  const port = Number(env.SANDBOX_PORT ?? 4010);
  const sandbox = await startSandbox({
    port,
    host: env.SANDBOX_HOST ?? '127.0.0.1',
    timeScale: env.SANDBOX_TIME_SCALE ? Number(env.SANDBOX_TIME_SCALE) : 1,
    snapshotPath: env.SANDBOX_SNAPSHOT || undefined,
  });
  if (env.SANDBOX_SEED_DEMO === '1') await seedDemo(sandbox.url, env);
  console.log(`xero-sandbox listening on ${sandbox.url}`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function seedDemo(url: string, env: NodeJS.ProcessEnv): Promise<void> {
  const post = async (path: string, body: unknown): Promise<Response> =>
    fetch(`${url}/__sandbox${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const orgs = (await (await fetch(`${url}/__sandbox/orgs`)).json()) as unknown[];
  if (orgs.length === 0) {
    await post('/orgs', { name: 'Demo Store Ltd', baseCurrency: 'NZD', currencies: ['USD', 'AUD'] });
  }
  const clientId = env.XERO_CLIENT_ID;
  const clientSecret = env.XERO_CLIENT_SECRET;
  if (clientId && clientSecret) {
    const redirectUris = (env.XERO_REDIRECT_URI ?? 'http://127.0.0.1:3002/connections/callback').split(',');
    await post('/clients', { clientId, clientSecret, redirectUris });
  } else {
    console.warn('SANDBOX_SEED_DEMO=1 but XERO_CLIENT_ID / XERO_CLIENT_SECRET are not set: no demo app registered');
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
