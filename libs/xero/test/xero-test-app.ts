import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { ConfigModule, loadConfig } from '@xero-sync/config';
import {
  PersistenceModule,
  RequestStatsRepository,
  StoreSettingsRepository,
  XeroLinkRepository,
  defaultStoreSettings,
} from '@xero-sync/persistence';
import {
  startTestSandbox,
  testClientCredentials,
  testEncryptionKey,
  testMongoUri,
  TestSandbox,
} from '@xero-sync/testing';
import {
  DeliveryItem,
  DeliveryOptions,
  DeliveryResult,
  DryRunService,
  XeroAccountingClient,
  XeroConnectionService,
  XeroConsentService,
  XeroDeliveryService,
  XeroModule,
  XeroModuleOptions,
} from '@xero-sync/xero';

/** One libs/xero "instance" (a Nest application context) against real FerretDB and the sandbox. */
export interface XeroTestApp {
  app: INestApplicationContext;
  delivery: XeroDeliveryService;
  connections: XeroConnectionService;
  consent: XeroConsentService;
  settings: StoreSettingsRepository;
  links: XeroLinkRepository;
  stats: RequestStatsRepository;
  client: XeroAccountingClient;
  dryRun: DryRunService;
}

/** Delivers to a store with its current saved settings (as the syncer hands them over). */
export async function deliverToStore(
  x: XeroTestApp,
  storeId: string,
  items: DeliveryItem[],
  opts: DeliveryOptions,
): Promise<DeliveryResult[]> {
  return x.delivery.deliver(await x.settings.get(storeId), items, opts);
}

export async function bootXeroApp(env: Record<string, string>, options: XeroModuleOptions = {}): Promise<XeroTestApp> {
  const config = loadConfig({}, { LOG_LEVEL: 'silent', ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot(), XeroModule.forRoot(options)],
  }).compile();
  const app = await moduleRef.init();
  return {
    app,
    delivery: app.get(XeroDeliveryService),
    connections: app.get(XeroConnectionService),
    consent: app.get(XeroConsentService),
    settings: app.get(StoreSettingsRepository),
    links: app.get(XeroLinkRepository),
    stats: app.get(RequestStatsRepository),
    client: app.get(XeroAccountingClient),
    dryRun: app.get(DryRunService),
  };
}

/** A sandbox with one org, a database, a booted app and a store bound to the org through a custom connection. */
export interface XeroWorld {
  sandbox: TestSandbox;
  env: Record<string, string>;
  tenantId: string;
  shortCode: string;
  storeId: string;
  x: XeroTestApp;
  close(): Promise<void>;
}

export async function xeroWorld(
  opts: {
    timeScale?: number;
    options?: XeroModuleOptions;
    oauthClient?: boolean;
    /** The org's currencies and extra tax rates (default: NZD base with USD and AUD, the sandbox's tax rates). */
    org?: Pick<Parameters<TestSandbox['control']['createOrg']>[0], 'currencies' | 'taxRates'>;
  } = {},
): Promise<XeroWorld> {
  const sandbox = await startTestSandbox(opts.timeScale ?? 1);
  const mongo = testMongoUri();
  const app = testClientCredentials();
  await sandbox.control.addClient(app.clientId, app.clientSecret, ['http://127.0.0.1:9/callback']);
  const env = {
    ...sandbox.env,
    MONGODB_URI: mongo,
    TOKEN_ENCRYPTION_KEY: testEncryptionKey(),
    XERO_CLIENT_ID: app.clientId,
    XERO_CLIENT_SECRET: app.clientSecret,
    XERO_REDIRECT_URI: 'http://127.0.0.1:9/callback',
  };
  const org = await sandbox.control.createOrg({
    name: `Org ${mongo.slice(-6)}`,
    baseCurrency: 'NZD',
    currencies: ['USD', 'AUD'],
    ...opts.org,
  });
  const x = await bootXeroApp(env, opts.options);
  const custom = testClientCredentials();
  await sandbox.control.addCustomConnection(custom.clientId, custom.clientSecret, org.tenantId);
  await x.consent.connectCustom(custom.clientId, custom.clientSecret);
  await x.connections.recordShortCode(org.tenantId, org.shortCode);
  const storeId = `s-${mongo.slice(-8)}`;
  await x.settings.save({ ...defaultStoreSettings(storeId), xeroTenantId: org.tenantId }, 'test');
  return {
    sandbox,
    env,
    tenantId: org.tenantId,
    shortCode: org.shortCode,
    storeId,
    x,
    close: async () => {
      await x.app.close();
      await dropTestDatabase(mongo);
      await sandbox.close();
    },
  };
}

/** Drops a test's own database (best effort: a test that failed early may not have created it). */
export async function dropTestDatabase(uri: string): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const c = new MongoClient(uri);
  await c
    .db()
    .dropDatabase()
    .catch(() => undefined);
  await c.close();
}

/** Xero's calls a minute per org. */
export const MINUTE_BUDGET = 60;

/**
 * Steady-state use of an org's minute budget over a run: the calls after the first minute's burst, per minute,
 * against the 60-call budget. Printed with the run's figures (and `extra`) so each test run leaves its numbers.
 */
export function steadyBudgetUse(
  counters: { total: number; http429: number },
  elapsedMs: number,
  minuteMs: number,
  extra: Record<string, unknown> = {},
): number {
  const used = (counters.total - MINUTE_BUDGET) / ((elapsedMs - minuteMs) / minuteMs) / MINUTE_BUDGET;
  const figures = { calls: counters.total, elapsedMs, minuteMs, budgetUsed: Number(used.toFixed(3)) };
  console.log(JSON.stringify({ ...figures, http429: counters.http429, ...extra }));
  return used;
}
