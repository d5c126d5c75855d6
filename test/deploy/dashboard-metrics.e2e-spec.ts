import { join } from 'node:path';
import {
  deleteTopicsWithPrefix,
  dropDatabase,
  eventually,
  generateStore,
  repoRoot,
  TEST_BROKERS,
  testMongoUri,
  uniqueSuffix,
} from '@xero-sync/testing';
import { adminCall, connectThroughOAuth, sendSignedWebhook } from '../../scripts/demo/demo-store';
import { Pipeline, startPipeline } from '../../scripts/demo/pipeline';
import { dashboardQueries, exposedNames, metricNames, ruleQueries } from './promql-names';

jest.setTimeout(240_000);

const STORE_ID = 'metrics-shop';

/**
 * The Grafana dashboard and the alert rules read only metrics the apps really export: the three built apps (and
 * the sandbox) run as in the demo, a store is connected and a few orders flow, then each app's /metrics is scraped
 * and every metric name of every dashboard query and rule must be declared by one of them. The series Immediately
 * mode feeds must also carry samples by then.
 */
describe('dashboard and alert queries against a live scrape', () => {
  let pipeline: Pipeline;
  const suffix = uniqueSuffix();
  const prefix = `t-${suffix}-`;
  const mongoUri = testMongoUri(`t_metrics_${suffix}`);

  beforeAll(async () => {
    pipeline = await startPipeline({
      root: repoRoot,
      ports: { sandbox: 0, ingest: 0, adminApi: 0, syncer: 0 },
      mongoUri,
      topicPrefix: prefix,
      groupPrefix: `t-${suffix}`,
      partitions: 2,
      logDir: join(repoRoot, 'test-artifacts', 'metrics-pipeline-logs'),
      logLevel: 'warn',
    });
    const p = pipeline;
    const org = await fetch(`${p.sandboxUrl}/__sandbox/orgs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Metrics Ltd', baseCurrency: 'NZD', currencies: ['USD'] }),
    });
    const { tenantId } = (await org.json()) as { tenantId: string };
    const { webhookSecret } = await adminCall<{ webhookSecret: string }>(p.adminUrl, p.adminKey, '/stores', 'POST', {
      storeId: STORE_ID,
      name: 'Metrics Shop',
    });
    await connectThroughOAuth(p.adminUrl, p.adminKey, tenantId, STORE_ID);
    await adminCall(p.adminUrl, p.adminKey, `/stores/${STORE_ID}/xero-tenant`, 'PUT', { tenantId });
    const store = generateStore({ seed: 11, storeId: STORE_ID, customers: 2, products: 2, orders: 3 });
    for (const event of store.events) {
      const res = await sendSignedWebhook(p.ingestUrl, STORE_ID, webhookSecret, event);
      if (!res.ok) throw new Error(`webhook ${event.entity} ${event.entityId}: HTTP ${res.status}`);
    }
  });

  afterAll(async () => {
    await pipeline?.stop();
    await dropDatabase(mongoUri);
    await deleteTopicsWithPrefix(TEST_BROKERS, prefix);
  });

  const scrape = async (url: string, key?: string): Promise<string> => {
    const res = await fetch(`${url}/metrics`, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
    if (!res.ok) throw new Error(`${url}/metrics: HTTP ${res.status}`);
    return res.text();
  };
  const scrapeAll = async () =>
    (
      await Promise.all([
        scrape(pipeline.ingestUrl, pipeline.adminKey),
        scrape(pipeline.syncerUrl, pipeline.adminKey),
        scrape(pipeline.adminUrl, pipeline.adminKey),
      ])
    ).join('\n');
  const hasSample = (text: string, name: string) => new RegExp(`^${name}(\\{| )`, 'm').test(text);

  it('exports every metric the dashboard and the alert rules query', async () => {
    // The syncer refreshes its query-backed gauges every 15 s: wait for the connection gauge to appear.
    const text = await eventually(async () => {
      const t = await scrapeAll();
      return hasSample(t, 'xero_sync_xero_connection_connected') && hasSample(t, 'xero_sync_events_out_total')
        ? t
        : undefined;
    }, 90_000);
    const exposed = exposedNames(text);
    const { exprs, recorded } = ruleQueries();
    const used = new Set([...dashboardQueries(), ...exprs].flatMap(metricNames));
    const missing = [...used].filter((n) => !exposed.has(n) && !recorded.includes(n));
    expect(missing).toEqual([]);
    expect(used.size).toBeGreaterThanOrEqual(15);
    for (const name of [
      'xero_sync_events_in_total',
      'xero_sync_events_out_total',
      'xero_sync_xero_calls_total',
      'xero_budget_remaining',
      'xero_sync_breaker_state',
      'xero_sync_delivery_duration_seconds_bucket',
      'xero_sync_xero_connection_connected',
      'xero_sync_refresh_token_expiry_timestamp_seconds',
      'xero_sync_dlq_messages',
    ]) {
      expect({ name, sampled: hasSample(text, name) }).toEqual({ name, sampled: true });
    }
  });
});
