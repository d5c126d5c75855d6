import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { eventually, infra, testMongoUri, uniqueSuffix } from '@xero-sync/testing';
import { AppName, exited, startBuiltApp } from './built-app';

interface HealthBody {
  status: string;
  info?: Record<string, { status: string }>;
  error?: Record<string, { status: string }>;
  details: Record<string, { status: string }>;
}

// Each app's /health follows its dependencies: down while Kafka or FerretDB is stopped, up once they are back.
describe('health of the three apps across Kafka and FerretDB outages', () => {
  const ports: Record<AppName, number> = { ingest: 3801, syncer: 3803, 'admin-api': 3802 };
  const children: ChildProcess[] = [];
  const mongoUri = testMongoUri();

  beforeAll(async () => {
    const suffix = uniqueSuffix();
    const env = {
      KAFKA_TOPIC_PREFIX: `t-${suffix}-`,
      KAFKA_GROUP_PREFIX: `g-${suffix}`,
      KAFKA_TOPIC_PARTITIONS: '2',
      MONGODB_URI: mongoUri,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      ADMIN_BOOTSTRAP_TOKEN: randomBytes(24).toString('base64url'),
      // Nothing listens here: health must not depend on Xero being reachable.
      XERO_API_URL: 'http://127.0.0.1:9/api.xro/2.0',
      XERO_IDENTITY_URL: 'http://127.0.0.1:9',
      XERO_CONNECTIONS_URL: 'http://127.0.0.1:9/connections',
      XERO_LOGIN_URL: 'http://127.0.0.1:9',
      INGEST_PORT: String(ports.ingest),
      SYNCER_PORT: String(ports.syncer),
      ADMIN_API_PORT: String(ports['admin-api']),
      SYNCER_INSTANCE_ID: `health-${suffix}`,
    };
    const outputs: (() => string)[] = [];
    for (const app of Object.keys(ports) as AppName[]) {
      const started = startBuiltApp(app, env);
      children.push(started.child);
      outputs.push(started.output);
    }
    try {
      await Promise.all((Object.keys(ports) as AppName[]).map((app) => eventually(() => isUp(app), 60_000)));
    } catch (err) {
      throw new Error(
        `apps did not become healthy (${String(err)}); their output:\n${outputs.map((o) => o()).join('\n')}`,
      );
    }
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => exited(c)));
  });

  const health = async (app: AppName): Promise<{ status: number; body: HealthBody }> => {
    const res = await fetch(`http://127.0.0.1:${ports[app]}/health`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json()) as HealthBody };
  };
  const isUp = async (app: AppName) => (await health(app)).status === 200;
  const apps = Object.keys(ports) as AppName[];

  it('reports up with kafka and mongodb checks when both answer', async () => {
    for (const app of apps) {
      const { status, body } = await health(app);
      expect(status).toBe(200);
      expect(body.details.kafka.status).toBe('up');
      expect(body.details.mongodb.status).toBe('up');
    }
  });

  /** Stops one service, expects every app's /health to answer 503 as `check` says, restarts it, waits for 200. */
  const duringOutage = async (service: 'kafka' | 'ferretdb', check: (body: HealthBody) => void) => {
    infra(`stop-${service}`);
    try {
      for (const app of apps) {
        const { status, body } = await eventually(async () => {
          const h = await health(app);
          return h.status === 503 ? h : undefined;
        }, 30_000);
        expect(status).toBe(503);
        check(body);
      }
    } finally {
      infra(`start-${service}`);
    }
    for (const app of apps) await eventually(() => isUp(app), 60_000);
  };

  it('reports kafka down while the broker is stopped, and up again after', async () => {
    await duringOutage('kafka', (body) => {
      expect(body.details.kafka.status).toBe('down');
      expect(body.details.mongodb.status).toBe('up');
    });
  });

  it('reports mongodb down while FerretDB is stopped, and up again after', async () => {
    await duringOutage('ferretdb', (body) => expect(body.details.mongodb.status).toBe('down'));
  });

  it('stops on SIGTERM after closing its connections (Nest re-raises the signal once shutdown hooks ran)', async () => {
    const child = children.pop()!;
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    child.kill('SIGTERM');
    const { code, signal } = await ended;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    // Its port is closed: nothing answers any more.
    await expect(fetch(`http://127.0.0.1:${ports['admin-api']}/health`)).rejects.toThrow();
  });
});
