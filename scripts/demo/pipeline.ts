import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startSandbox, RunningSandbox } from '@xero-sync/xero-sandbox';

/** The three apps, each started from its build output (`npm run build`). */
export const APPS = ['ingest', 'syncer', 'admin-api'] as const;
export type AppName = (typeof APPS)[number];

export interface PipelineOptions {
  /** Repository root (where dist/ and node_modules/ are). */
  root: string;
  /** Fixed ports (the demo) or 0 for free ones (tests). */
  ports: { sandbox: number; ingest: number; adminApi: number; syncer: number };
  mongoUri: string;
  kafkaBrokers?: string;
  topicPrefix?: string;
  groupPrefix?: string;
  partitions?: number;
  /** Where each app's log goes (`<dir>/<app>.log`). */
  logDir: string;
  logLevel?: string;
  /** Sandbox clock speed (1 = real time). */
  timeScale?: number;
  /** Progress lines for the person watching. */
  say?: (line: string) => void;
  /** Xero endpoints and app credentials replacing the in-process sandbox's, each on its own (see XeroTarget). */
  xero?: Partial<XeroTarget>;
}

/**
 * The Xero the apps talk to: by default the in-process sandbox with an app registered for the run; any field
 * given in PipelineOptions.xero replaces the sandbox's (a real Xero app and org, or a proxy in front of a sandbox).
 */
export interface XeroTarget {
  apiUrl: string;
  identityUrl: string;
  connectionsUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
}

export interface Pipeline {
  sandboxUrl: string;
  ingestUrl: string;
  adminUrl: string;
  syncerUrl: string;
  /** ADMIN_BOOTSTRAP_TOKEN generated for this run (admin role). */
  adminKey: string;
  clientId: string;
  /** The Xero app's client secret registered with the sandbox for this run (tests check it never reaches a log). */
  clientSecret: string;
  /** The Xero the apps were given (the sandbox's URLs unless PipelineOptions.xero replaced them). */
  xero: XeroTarget;
  /** The app whose child process stopped, with the tail of its log, if any did. */
  failures(): string[];
  stop(): Promise<void>;
}

/** A part of the pipeline that could not start, with what its log said. */
export class PipelinePartError extends Error {
  constructor(
    readonly part: string,
    detail: string,
  ) {
    super(`${part} did not start: ${detail}`);
    this.name = 'PipelinePartError';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

async function waitForHealth(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}:\n${tail(logFile)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`no healthy /health within ${timeoutMs / 1000} s:\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Starts the whole pipeline on this machine against the running Kafka and FerretDB: the Xero sandbox
 * (in-process, with an app registered for this run and a demo organisation), then ingest, syncer and admin-api
 * as child processes from dist/, each waited for until its /health answers. Secrets (token encryption key,
 * bootstrap admin key, Xero client secret) are generated per run. A part that does not come up is reported
 * by name with its log, and everything already started is stopped again.
 */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const say = options.say ?? (() => undefined);
  mkdirSync(options.logDir, { recursive: true });
  for (const app of APPS) {
    const main = join(options.root, 'dist/apps', app, 'src/main.js');
    if (!existsSync(main)) throw new PipelinePartError(app, `${main} is missing; run npm run build`);
  }
  const port = async (p: number) => (p === 0 ? freePort() : p);
  const ports = {
    sandbox: await port(options.ports.sandbox),
    ingest: await port(options.ports.ingest),
    adminApi: await port(options.ports.adminApi),
    syncer: await port(options.ports.syncer),
  };
  const adminUrl = `http://127.0.0.1:${ports.adminApi}`;
  const clientId = options.xero?.clientId ?? `demo-${randomBytes(6).toString('hex')}`;
  const clientSecret = options.xero?.clientSecret ?? randomBytes(24).toString('base64url');
  const adminKey = randomBytes(24).toString('base64url');

  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox({
      port: ports.sandbox,
      host: '127.0.0.1',
      timeScale: options.timeScale ?? 1,
      clients: [{ clientId, clientSecret, redirectUris: [`${adminUrl}/connections/callback`] }],
    });
  } catch (err) {
    throw new PipelinePartError('xero-sandbox', err instanceof Error ? err.message : String(err));
  }
  say(`Xero sandbox on ${sandbox.url}`);
  const xero: XeroTarget = {
    apiUrl: `${sandbox.url}/api.xro/2.0`,
    identityUrl: sandbox.url,
    connectionsUrl: `${sandbox.url}/connections`,
    loginUrl: sandbox.url,
    ...options.xero,
    clientId,
    clientSecret,
  };

  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_LEVEL: options.logLevel ?? 'info',
    KAFKA_BROKERS: options.kafkaBrokers ?? '127.0.0.1:9092',
    KAFKA_TOPIC_PREFIX: options.topicPrefix ?? '',
    KAFKA_GROUP_PREFIX: options.groupPrefix ?? 'xero-sync',
    KAFKA_TOPIC_PARTITIONS: String(options.partitions ?? 12),
    MONGODB_URI: options.mongoUri,
    XERO_API_URL: xero.apiUrl,
    XERO_IDENTITY_URL: xero.identityUrl,
    XERO_CONNECTIONS_URL: xero.connectionsUrl,
    XERO_LOGIN_URL: xero.loginUrl,
    XERO_CLIENT_ID: xero.clientId,
    XERO_CLIENT_SECRET: xero.clientSecret,
    XERO_REDIRECT_URI: `${adminUrl}/connections/callback`,
    XERO_MINUTE_MS: String(Math.max(10, Math.round(60_000 / (options.timeScale ?? 1)))),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ADMIN_BOOTSTRAP_TOKEN: adminKey,
    // The stand-in Magento listens on 127.0.0.1 over http: a development setting of the outbound policy.
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW_PRIVATE: 'true',
    INGEST_PORT: String(ports.ingest),
    ADMIN_API_PORT: String(ports.adminApi),
    SYNCER_PORT: String(ports.syncer),
    ADMIN_CORS_ORIGIN: adminUrl,
    SYNCER_INSTANCE_ID: `demo-syncer-${process.pid}`,
  };
  const urls: Record<AppName, string> = {
    ingest: `http://127.0.0.1:${ports.ingest}`,
    syncer: `http://127.0.0.1:${ports.syncer}`,
    'admin-api': adminUrl,
  };

  const children = new Map<AppName, ChildProcess>();
  const exited: string[] = [];
  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await sandbox.close();
  };

  try {
    for (const app of APPS) {
      const logFile = join(options.logDir, `${app}.log`);
      const out = createWriteStream(logFile, { flags: 'w' });
      const child = spawn(process.execPath, [join(options.root, 'dist/apps', app, 'src/main.js')], {
        cwd: options.root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.pipe(out);
      child.stderr.pipe(out);
      child.once('exit', (code, signal) => {
        if (!stopping) exited.push(`${app} stopped (${signal ?? `code ${code}`}):\n${tail(logFile)}`);
      });
      children.set(app, child);
      try {
        await waitForHealth(urls[app], child, logFile, 90_000);
      } catch (err) {
        throw new PipelinePartError(app, (err as Error).message);
      }
      say(`${app} on ${urls[app]} (log: ${logFile})`);
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    sandboxUrl: sandbox.url,
    ingestUrl: urls.ingest,
    adminUrl,
    syncerUrl: urls.syncer,
    adminKey,
    clientId,
    clientSecret,
    xero,
    failures: () => [...exited],
    stop,
  };
}
