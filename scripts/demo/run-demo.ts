import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import {
  deleteGroupsWithPrefix,
  deleteTopicsWithPrefix,
  dropDatabase,
  GeneratedEvent,
  infraCacheDir,
} from '@xero-sync/testing';
import { adminCall, connectThroughOAuth, periodOf, recordsOf, sampleStore, sendSignedWebhook } from './demo-store';
import { FakeMagento, startFakeMagento } from './fake-magento';
import { Pipeline, PipelinePartError, startPipeline, XeroTarget } from './pipeline';

const ROOT = resolve(__dirname, '../../..');
const STORE_ID = 'demo-store';
const LIVE_EVERY_MS = 1000;
/** How long the demo asks for a balanced reconciliation while documents are still on their way to Xero. */
const RECONCILE_WAIT_MS = 180_000;
const RECONCILE_EVERY_MS = 5_000;
/** One database for every run: dropped when a run starts (a killed run's leftovers) and when it stops. */
const DEMO_DB = 'mongodb://127.0.0.1:27017/xero_sync_demo';
const KAFKA = ['127.0.0.1:9092'];

/** The variables that point the demo at another Xero (a real app and org, or a proxy in front of a sandbox). */
const XERO_VARIABLES: Record<string, keyof XeroTarget> = {
  XERO_API_URL: 'apiUrl',
  XERO_IDENTITY_URL: 'identityUrl',
  XERO_CONNECTIONS_URL: 'connectionsUrl',
  XERO_LOGIN_URL: 'loginUrl',
  XERO_CLIENT_ID: 'clientId',
  XERO_CLIENT_SECRET: 'clientSecret',
};

/** The Xero settings given in the environment (set and non-empty ones only), and their names. */
function xeroFromEnv(env: NodeJS.ProcessEnv): { xero: Partial<XeroTarget>; names: string[] } {
  const xero: Partial<XeroTarget> = {};
  const names: string[] = [];
  for (const [name, field] of Object.entries(XERO_VARIABLES)) {
    const value = env[name]?.trim();
    if (!value) continue;
    xero[field] = value.replace(/\/+$/, '');
    names.push(name);
  }
  return { xero, names };
}

/** Whether `identityUrl` is a xero-sandbox (directly or through a proxy): it answers its control API. */
async function isSandbox(identityUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${identityUrl}/__sandbox/counters`, { signal: AbortSignal.timeout(5000) });
    return res.ok;
  } catch {
    return false;
  }
}

const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);
const fail = (step: string, err: unknown) =>
  process.stderr.write(`\n[demo] ✗ ${step} failed: ${err instanceof Error ? err.message : String(err)}\n`);

/** Runs one step; on failure names the step (which part of the pipeline is not ready) and rethrows. */
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    fail(name, err);
    throw err;
  }
}

/**
 * `npm run demo` after the launcher (scripts/demo.mjs) installed, built and started Kafka and FerretDB:
 * the sandbox and the three apps, a demo store connected to a sandbox org through the real OAuth flow, its
 * history loaded by backfill from a stand-in Magento REST API, then live orders as signed webhooks.
 */
async function main(): Promise<void> {
  const runId = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const logDir = join(infraCacheDir(), 'demo-logs', runId);
  const topicPrefix = `demo-${runId}.`;
  const fromEnv = xeroFromEnv(process.env);
  let pipeline: Pipeline | undefined;
  let magento: FakeMagento | undefined;
  let live: NodeJS.Timeout | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(live);
    say('stopping everything the demo started…');
    await magento?.close().catch(() => undefined);
    await pipeline?.stop().catch(() => undefined);
    // Nothing of the run is kept: its database, topics and consumer groups go with it (Kafka and FerretDB stay up).
    await dropDatabase(DEMO_DB).catch((err: unknown) => say(`could not drop the demo database: ${String(err)}`));
    await deleteTopicsWithPrefix(KAFKA, topicPrefix).catch(() => undefined);
    await deleteGroupsWithPrefix(KAFKA, `demo-${runId}`).catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    await step('emptying the demo database', () => dropDatabase(DEMO_DB));
    pipeline = await step('starting the pipeline', () =>
      startPipeline({
        root: ROOT,
        ports: { sandbox: 4010, ingest: 3001, adminApi: 3002, syncer: 3003 },
        mongoUri: DEMO_DB,
        topicPrefix,
        groupPrefix: `demo-${runId}`,
        logDir,
        say,
        xero: fromEnv.xero,
      }),
    );
    const p = pipeline;
    const sandboxLike = await isSandbox(p.xero.identityUrl);
    if (fromEnv.names.length === 0) say(`Xero: the local sandbox on ${p.sandboxUrl} (set XERO_* to use another)`);
    else {
      say(`Xero: API ${p.xero.apiUrl}, identity ${p.xero.identityUrl}, app ${p.xero.clientId}`);
      say(`      (from ${fromEnv.names.join(', ')}; the rest are the local sandbox's)`);
    }
    if (!sandboxLike) {
      await runAgainstRealXero(p, logDir);
      return;
    }
    // A sandbox behind a proxy is not the one started here: it needs this run's app registered.
    if (p.xero.identityUrl !== p.sandboxUrl) {
      await step('registering the demo app with the sandbox behind XERO_IDENTITY_URL', async () => {
        const res = await fetch(`${p.xero.identityUrl}/__sandbox/clients`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            clientId: p.xero.clientId,
            clientSecret: p.xero.clientSecret,
            redirectUris: [`${p.adminUrl}/connections/callback`],
          }),
        });
        if (!res.ok) throw new Error(`HTTP ${res.status} ${await res.text()}`);
      });
    }
    const org = await step('creating the demo Xero organisation in the sandbox', async () => {
      const res = await fetch(`${p.xero.identityUrl}/__sandbox/orgs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Demo Store Ltd', baseCurrency: 'NZD', currencies: ['USD', 'AUD'] }),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${await res.text()}`);
      return (await res.json()) as { tenantId: string; shortCode: string };
    });
    say(`sandbox org "Demo Store Ltd" (${org.tenantId})`);

    const { store, history, upcoming } = sampleStore(STORE_ID);
    const magentoToken = randomBytes(18).toString('base64url');
    magento = await step('starting the sample store (Magento REST stand-in)', () =>
      startFakeMagento(magentoToken, recordsOf(history)),
    );
    say(`sample store's Magento REST API on ${magento.url} (${history.length} historical changes)`);

    const created = await step('creating the store in admin-api', () =>
      adminCall<{ webhookSecret: string }>(p.adminUrl, p.adminKey, '/stores', 'POST', {
        storeId: STORE_ID,
        name: 'Demo Store',
        magentoBaseUrl: magento!.url,
        magentoToken,
      }),
    );
    await step('connecting the store to Xero (OAuth through admin-api and the sandbox)', () =>
      connectThroughOAuth(p.adminUrl, p.adminKey, org.tenantId, STORE_ID),
    );
    await step('binding the store to the org', () =>
      adminCall(p.adminUrl, p.adminKey, `/stores/${STORE_ID}/xero-tenant`, 'PUT', { tenantId: org.tenantId }),
    );
    say(`store ${STORE_ID} connected to Xero org ${org.tenantId}`);

    const job = await step('starting the backfill', () =>
      adminCall<{ jobId: string }>(p.adminUrl, p.adminKey, '/backfills', 'POST', { storeId: STORE_ID }),
    );
    await step('backfilling the store history', async () => {
      const bar = new SingleBar({ format: '[demo] backfill {bar} {value}/{total} {status}' }, Presets.shades_classic);
      bar.start(1, 0, { status: 'queued' });
      try {
        for (;;) {
          const j = await adminCall<{
            status: string;
            total: number;
            published: number;
            failed: number;
            lastError?: string;
          }>(p.adminUrl, p.adminKey, `/backfills/${job.jobId}`);
          bar.setTotal(Math.max(1, j.total));
          bar.update(j.published + j.failed, { status: j.status });
          if (j.status === 'succeeded') return;
          if (j.status === 'failed' || j.status === 'cancelled')
            throw new Error(`job ${j.status}: ${j.lastError ?? ''}`);
          const broken = p.failures();
          if (broken.length) throw new PipelinePartError('pipeline', broken.join('\n'));
          await new Promise((r) => setTimeout(r, 500));
        }
      } finally {
        bar.stop();
      }
    });

    const period = periodOf(store.events);
    await reportReconciliation(p, period);
    say('');
    say(`Dashboard:  ${p.adminUrl}/`);
    say(`API key:    ${p.adminKey}   (admin; generated for this run)`);
    say(`API docs:   ${p.adminUrl}/docs`);
    say(`Logs:       ${logDir}`);
    say(
      `Live orders now arrive as signed webhooks every second (${upcoming.length} changes). Ctrl-C stops everything.`,
    );
    say('');

    const storeMagento = magento;
    void feedLive(p, created.webhookSecret, history, upcoming, storeMagento, () => stopping).then(async (sent) => {
      if (stopping) return;
      say(`live feed done (${sent} webhooks); reconciling again once they are in Xero`);
      await reportReconciliation(p, period);
      say('the pipeline keeps running until Ctrl-C');
    });
    live = setInterval(() => {
      const broken = p.failures();
      if (broken.length) {
        fail('running the pipeline', broken.join('\n'));
        void shutdown(1);
      }
    }, LIVE_EVERY_MS);
  } catch {
    process.stderr.write('[demo] the parts above that failed are not ready yet; stopping what was started.\n');
    await shutdown(1);
  }
}

/**
 * A real Xero (neither the local sandbox nor one behind a proxy): organisations cannot be created nor consent
 * scripted, so the demo creates the store and says how to connect it from the dashboard, then keeps running.
 */
async function runAgainstRealXero(p: Pipeline, logDir: string): Promise<void> {
  const created = await step('creating the store in admin-api', () =>
    adminCall<{ webhookSecret: string }>(p.adminUrl, p.adminKey, '/stores', 'POST', {
      storeId: STORE_ID,
      name: 'Demo Store',
    }),
  );
  say('');
  say(`Dashboard:  ${p.adminUrl}/`);
  say(`API key:    ${p.adminKey}   (admin; generated for this run)`);
  say(`Logs:       ${logDir}`);
  say(`Your Xero app's redirect URI must be ${p.adminUrl}/connections/callback.`);
  say(`Connect your demo company on the dashboard's Connections page, then choose it for store ${STORE_ID}.`);
  say(`Store ${STORE_ID}'s webhook secret: ${created.webhookSecret}. Ctrl-C stops everything.`);
}

/**
 * Reconciles the sample store with Xero for the period of its documents and says whether the books balance; the
 * dashboard's Reconciliation page shows the same. Documents are still on their way to Xero for a while after the
 * store sent them (and a report waits for the org's rate budget like any read), so it asks again until the books
 * balance or `waitMs` has passed, and then names what still differs.
 */
async function reportReconciliation(
  p: Pipeline,
  period: { from: string; to: string },
  waitMs = RECONCILE_WAIT_MS,
): Promise<void> {
  const url = `${p.adminUrl}/stores/${STORE_ID}/reconciliation?from=${period.from}&to=${period.to}`;
  const until = Date.now() + waitMs;
  let last = 'no answer';
  for (;;) {
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${p.adminKey}` } });
      const body = (await res.json()) as {
        balanced?: boolean;
        differences?: { detail?: string; number?: string }[];
        storeDocuments?: number;
        message?: string;
      };
      if (res.ok && body.balanced) {
        say(
          `Reconciliation ${period.from}..${period.to}: balanced, 0 differences ` +
            `(${body.storeDocuments ?? 0} store documents match Xero to the cent)`,
        );
        return;
      }
      last = res.ok
        ? `${body.differences?.length ?? 0} differences, e.g. ${body.differences?.[0]?.number ?? ''} ${body.differences?.[0]?.detail ?? 'tax by rate'}`
        : `HTTP ${res.status} ${body.message ?? ''}`;
    } catch (err) {
      last = String(err);
    }
    if (Date.now() > until) break;
    await new Promise((r) => setTimeout(r, RECONCILE_EVERY_MS));
  }
  say(`Reconciliation ${period.from}..${period.to}: ${last} (see the dashboard's Reconciliation page)`);
}

/**
 * Sends the live changes one per second as the store would: the store holds each change (its REST API answers
 * it, for reconciliation and Sync Now) before its webhook goes out; a change ingest could not accept yet (503
 * while Kafka is away, 429, network error) is sent again after Retry-After, so none is lost or reordered.
 */
async function feedLive(
  p: Pipeline,
  secret: string,
  history: GeneratedEvent[],
  upcoming: GeneratedEvent[],
  magento: FakeMagento,
  stopped: () => boolean,
): Promise<number> {
  let sent = 0;
  const held = [...history];
  for (const next of upcoming) {
    held.push(next);
    magento.setRecords(recordsOf(held));
    for (;;) {
      if (stopped()) return sent;
      let wait = LIVE_EVERY_MS;
      try {
        const res = await sendSignedWebhook(p.ingestUrl, STORE_ID, secret, next);
        if (res.ok) break;
        const retryable = res.status === 429 || res.status >= 500;
        say(`webhook ${next.entity} ${next.entityId}: HTTP ${res.status}${retryable ? ', retrying' : ''}`);
        if (!retryable) break;
        wait = Math.max(LIVE_EVERY_MS, Number(res.headers.get('retry-after') ?? 2) * 1000);
      } catch (err) {
        say(`webhook ${next.entity} ${next.entityId}: ${String(err)}, retrying`);
      }
      await new Promise((r) => setTimeout(r, wait));
    }
    sent++;
    if (sent % 10 === 0) say(`${sent} live changes sent`);
    await new Promise((r) => setTimeout(r, LIVE_EVERY_MS));
  }
  return sent;
}

void main();
