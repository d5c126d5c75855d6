import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { topics } from '@xero-sync/contracts';
import { deleteTopics } from '@xero-sync/messaging';
import { eventually, GeneratedEvent, repoRoot, TEST_BROKERS, testMongoUri, uniqueSuffix } from '@xero-sync/testing';
import {
  adminCall,
  connectThroughOAuth,
  periodOf,
  recordsOf,
  sampleStore,
  sendSignedWebhook,
} from '../../../scripts/demo/demo-store';
import { FakeMagento, startFakeMagento } from '../../../scripts/demo/fake-magento';
import { Pipeline, startPipeline } from '../../../scripts/demo/pipeline';
import { ARTIFACTS, launchChromium, screenshot, signIn } from './browser';

jest.setTimeout(420_000);

const STORE_ID = 'demo-store';

interface Report {
  balanced: boolean;
  source: string;
  storeDocuments: number;
  xeroDocuments: number;
  differences: { number: string; detail: string }[];
  issues: unknown[];
  totals: { difference: number }[];
  taxRates: { difference: number }[];
}

/**
 * `npm run demo` proven end to end: the demo's own sample store (same seed, same split) through the whole
 * pipeline as the demo runs it (built apps as child processes, the sandbox org, OAuth, a backfill of the history
 * from the store's REST API, then the rest as signed webhooks while the store holds them), and the books balance:
 * the reconciliation API and the dashboard's Reconciliation page in Chromium report 0 differences.
 */
describe('npm run demo ends balanced (pipeline, browser)', () => {
  let pipeline: Pipeline;
  let magento: FakeMagento;
  let browser: Browser;
  let page: Page;
  const sample = sampleStore(STORE_ID);
  const period = periodOf(sample.store.events);
  const suffix = uniqueSuffix();
  const mongoUri = testMongoUri(`t_demo_${suffix}`);
  const prefix = `t-${suffix}-`;

  const reconciliation = () =>
    adminCall<Report>(
      pipeline.adminUrl,
      pipeline.adminKey,
      `/stores/${STORE_ID}/reconciliation?from=${period.from}&to=${period.to}`,
    );

  beforeAll(async () => {
    pipeline = await startPipeline({
      root: repoRoot,
      ports: { sandbox: 0, ingest: 0, adminApi: 0, syncer: 0 },
      mongoUri,
      topicPrefix: prefix,
      groupPrefix: `t-${suffix}`,
      partitions: 2,
      logDir: join(ARTIFACTS, 'demo-logs'),
      // Xero's minute budget passes ten times faster: the demo's 60 orders reach Xero in well under a minute.
      timeScale: 10,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await magento?.close();
    await pipeline?.stop();
    const conn = await mongoose.createConnection(mongoUri).asPromise();
    await conn.dropDatabase();
    await conn.close();
    const kafka = new Kafka({ brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.disconnect();
    await deleteTopics(kafka, mine.length ? mine : [topics.commands(prefix)]);
  });

  it('backfills the sample store’s history and takes its live orders as signed webhooks', async () => {
    const org = await fetch(`${pipeline.sandboxUrl}/__sandbox/orgs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Demo Store Ltd', baseCurrency: 'NZD', currencies: ['USD', 'AUD'] }),
    });
    const { tenantId } = (await org.json()) as { tenantId: string };
    const token = randomBytes(18).toString('base64url');
    magento = await startFakeMagento(token, recordsOf(sample.history));
    const created = await adminCall<{ webhookSecret: string }>(
      pipeline.adminUrl,
      pipeline.adminKey,
      '/stores',
      'POST',
      {
        storeId: STORE_ID,
        name: 'Demo Store',
        magentoBaseUrl: magento.url,
        magentoToken: token,
      },
    );
    await connectThroughOAuth(pipeline.adminUrl, pipeline.adminKey, tenantId, STORE_ID);
    await adminCall(pipeline.adminUrl, pipeline.adminKey, `/stores/${STORE_ID}/xero-tenant`, 'PUT', { tenantId });

    const job = await adminCall<{ jobId: string }>(pipeline.adminUrl, pipeline.adminKey, '/backfills', 'POST', {
      storeId: STORE_ID,
    });
    let status = '';
    await eventually(
      async () => {
        ({ status } = await adminCall<{ status: string }>(
          pipeline.adminUrl,
          pipeline.adminKey,
          `/backfills/${job.jobId}`,
        ));
        return status === 'succeeded' || status === 'failed' || status === 'cancelled';
      },
      120_000,
      1_000,
    );
    expect(status).toBe('succeeded');

    // As the demo's live feed: the store holds each change before its webhook goes out; no pause between them.
    const held: GeneratedEvent[] = [...sample.history];
    for (const next of sample.upcoming) {
      held.push(next);
      magento.setRecords(recordsOf(held));
      let answer = 0;
      await eventually(
        async () => {
          answer = (await sendSignedWebhook(pipeline.ingestUrl, STORE_ID, created.webhookSecret, next)).status;
          return answer < 300 || (answer !== 429 && answer < 500);
        },
        30_000,
        1_000,
      );
      expect(answer).toBeLessThan(300);
    }
    expect(pipeline.failures()).toEqual([]);
  });

  it('reconciles balanced through the API: every store document in Xero to the cent, 0 differences', async () => {
    const records = recordsOf(sample.store.events);
    const documents = records.order.length + records.creditmemo.length;
    let report: Report | undefined;
    await eventually(
      async () => {
        report = await reconciliation().catch(() => undefined);
        return report?.balanced === true;
      },
      240_000,
      5_000,
    ).catch(() => {
      throw new Error(`not balanced: ${JSON.stringify(report?.differences?.slice(0, 10) ?? report, null, 1)}`);
    });
    expect(report).toMatchObject({ balanced: true, source: 'store', storeDocuments: documents, differences: [] });
    expect(report!.issues).toEqual([]);
    expect(report!.totals.every((t) => t.difference === 0)).toBe(true);
    expect(report!.taxRates.every((t) => t.difference === 0)).toBe(true);
    expect(pipeline.failures()).toEqual([]);
  });

  it('shows the same on the dashboard’s Reconciliation page', async () => {
    const records = recordsOf(sample.store.events);
    const documents = records.order.length + records.creditmemo.length;
    await signIn(page, pipeline.adminUrl, pipeline.adminKey);
    await page.click('header nav a[data-page=reconciliation]');
    const section = page.locator('section[data-section=reconciliation]');
    await section.locator('input[name=from]').fill(period.from);
    await section.locator('input[name=to]').fill(period.to);
    await page.click('[data-testid=run-reconciliation]');
    const summary = page.locator('[data-testid=reconciliation-summary]');
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.textContent()).toMatch(new RegExp(`^Balanced: ${documents} store documents, \\d+ in Xero$`));
    expect(await summary.getAttribute('class')).toContain('status-success');
    expect(await page.locator('[data-testid=reconciliation-differences]').isVisible()).toBe(false);
    expect(await page.locator('[data-testid=reconciliation-differences] tbody tr').count()).toBe(0);
    const differenceColumn = await page
      .locator('[data-testid=reconciliation-totals] tbody tr td:nth-child(8)')
      .allTextContents();
    expect(differenceColumn.length).toBeGreaterThan(0);
    expect(differenceColumn.every((d) => d === '0.00')).toBe(true);
    await screenshot(page, 'demo-reconciliation-balanced');
  });
});
