import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { envSchema, EnvKey, loadConfig } from '@xero-sync/config';
import { DEFAULT_APP_PRINCIPALS } from '@xero-sync/messaging';
import { repoRoot } from '@xero-sync/testing';
import { adminApiRoutes } from './admin-api-routes';
import { APPS, ComposeFile, loadCompose, processEnv, readEnvFile } from './compose-file';

/**
 * Docker cannot run on these machines, so this holds docker-compose.yml to what compose and the programs it
 * starts would do with it: the Compose Specification's own JSON Schema, each app's env schema, admin-api's
 * routes, names used once. Kafka's format tool and promtool run in deploy-tools.e2e-spec.ts.
 */
describe('docker-compose.yml', () => {
  const example = readEnvFile(join(repoRoot, '.env.example'));
  const compose: ComposeFile = loadCompose(example);
  const services = compose.services;
  // The brokers are the Kafka services with a host name; kafka-storage, a one-shot service, has none.
  const brokers = Object.keys(services).filter(
    (s) => services[s].image?.startsWith('apache/kafka:') && services[s].hostname,
  );
  /** Services that run once and exit (storage format, ACLs): they may share the brokers' volumes. */
  const oneShot = Object.keys(services).filter((s) => services[s].restart === 'no');

  it('interpolates with .env.example alone: every variable the file requires has an example', () => {
    expect(() => loadCompose(example)).not.toThrow();
    expect(existsSync(join(repoRoot, '.env.example'))).toBe(true);
    expect(readFileSync(join(repoRoot, '.gitignore'), 'utf8').split('\n')).toContain('.env');
  });

  it('is valid against the Compose Specification JSON Schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const schema = JSON.parse(readFileSync(join(__dirname, 'vendor/compose-spec.json'), 'utf8')) as object;
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  describe.each(APPS)('%s', (app) => {
    const service = services[app];
    const env = processEnv(service.environment);

    it('runs its built entry point from the one image', () => {
      expect(service.image).toBe('xero-sync:latest');
      expect(service.command?.join(' ')).toContain(`dist/apps/${app}/src/main.js`);
    });

    it("passes only keys the env schema knows, and the app's config loads from them", () => {
      const known = new Set(Object.keys(envSchema.shape));
      expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
      const main = readFileSync(join(repoRoot, `apps/${app}/src/main.ts`), 'utf8');
      const required = [...(/require: \[([^\]]*)\]/.exec(main)?.[1] ?? '').matchAll(/'([A-Z0-9_]+)'/g)].map(
        (m) => m[1] as EnvKey,
      );
      expect(required).toContain('TOKEN_ENCRYPTION_KEY');
      const config = loadConfig({ require: required }, { ...env, ...instanceIdOf(service.command) });
      expect(config.BIND_HOST).toBe('0.0.0.0');
    });

    it('reaches the compose brokers and the replica set', () => {
      const config = loadConfig({}, env);
      expect([...config.KAFKA_BROKERS].sort()).toEqual(brokers.map((b) => `${services[b].hostname}:9092`).sort());
      expect(config.MONGODB_URI).toMatch(/^mongodb:\/\/mongodb:27017\/[^?]+\?replicaSet=rs0$/);
    });

    it('starts only once the brokers and MongoDB are healthy and the ACLs are set, and has a health check of its own', () => {
      for (const dep of [...brokers, 'mongodb'])
        expect(service.depends_on?.[dep]).toEqual({ condition: 'service_healthy' });
      expect(service.depends_on?.['kafka-acls']).toEqual({ condition: 'service_completed_successfully' });
      const port = { ingest: 3001, syncer: 3003, 'admin-api': 3002 }[app];
      expect(service.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/health`);
    });
  });

  it('gives every syncer replica its own instance id (the container host name), and publishes no syncer port', () => {
    const syncer = services.syncer;
    expect(syncer.environment?.SYNCER_INSTANCE_ID).toBeUndefined();
    expect(syncer.ports).toBeUndefined();
    const a = instanceIdOf(syncer.command, 'c0ffee000001').SYNCER_INSTANCE_ID;
    const b = instanceIdOf(syncer.command, 'c0ffee000002').SYNCER_INSTANCE_ID;
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
  });

  it("redirects Xero's OAuth callback to a route admin-api serves, on its published port", () => {
    const routes = adminApiRoutes();
    expect(routes.length).toBeGreaterThan(10);
    for (const uri of [String(services['admin-api'].environment?.XERO_REDIRECT_URI), example.XERO_REDIRECT_URI]) {
      const url = new URL(uri);
      expect(routes).toContain(`GET ${url.pathname}`);
      expect(services['admin-api'].ports).toContain(`${url.port}:3002`);
    }
    // The default when .env leaves it out.
    const unset = loadCompose({ ...example, XERO_REDIRECT_URI: undefined });
    expect(routes).toContain(`GET ${new URL(String(unset.services.syncer.environment?.XERO_REDIRECT_URI)).pathname}`);
  });

  it('keeps each broker log on a volume of its own, with unique node ids matching the controller quorum', () => {
    expect(brokers.length).toBe(3);
    const ids = brokers.map((b) => Number(services[b].environment?.KAFKA_NODE_ID));
    expect(new Set(ids).size).toBe(brokers.length);
    for (const b of brokers) {
      const env = processEnv(services[b].environment);
      const volume = (services[b].volumes ?? []).find((v) => v.split(':')[1] === env.KAFKA_LOG_DIRS);
      expect(volume).toBeDefined();
      expect(Object.keys(compose.volumes ?? {})).toContain(volume!.split(':')[0]);
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toContain(`${env.KAFKA_NODE_ID}@${services[b].hostname}:9093`);
      expect(env.KAFKA_ADVERTISED_LISTENERS).toBe(`CLIENT://${services[b].hostname}:9092`);
    }
  });

  describe('Kafka security', () => {
    const storage = services['kafka-storage'];
    const storageEnv = processEnv(storage.environment);
    /** The SCRAM users the kafka-storage service creates when it formats the brokers' volumes, name → password. */
    const users = Object.fromEntries(
      storageEnv.KAFKA_FORMAT_SCRAM_USERS.split(/\s+/).map((u) => [
        u.slice(0, u.indexOf('=')),
        u.slice(u.indexOf('=') + 1),
      ]),
    );
    const principalOf = {
      ingest: DEFAULT_APP_PRINCIPALS.ingest,
      syncer: DEFAULT_APP_PRINCIPALS.syncer,
      'admin-api': DEFAULT_APP_PRINCIPALS.adminApi,
    };

    it('authenticates on every broker listener, authorises with the StandardAuthorizer and allows nothing without an ACL', () => {
      for (const b of brokers) {
        const env = processEnv(services[b].environment);
        const protocols = env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP.split(',').map((m) => m.split(':')[1]);
        expect({ b, protocols }).toEqual({ b, protocols: ['SASL_PLAINTEXT', 'SASL_PLAINTEXT'] });
        const listeners = env.KAFKA_LISTENERS.split(',').map((l) => l.split(':')[0]);
        for (const l of [...listeners, env.KAFKA_ADVERTISED_LISTENERS.split(':')[0]])
          expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toContain(`${l}:SASL_PLAINTEXT`);
        expect(env.KAFKA_INTER_BROKER_LISTENER_NAME).toBe('CLIENT');
        expect(env.KAFKA_LISTENER_NAME_CLIENT_SASL_ENABLED_MECHANISMS).toBe('SCRAM-SHA-512');
        expect(env.KAFKA_AUTHORIZER_CLASS_NAME).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
        expect(env.KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND).toBe('false');
        expect(env.KAFKA_SUPER_USERS.split(';').sort()).toEqual(['User:admin', 'User:broker', 'User:controller']);
        // The broker's own SCRAM login is a user the format creates, with the same password.
        expect(env.KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG).toContain(
          `username="broker" password="${users.broker}";`,
        );
        expect(services[b].depends_on?.['kafka-storage']).toEqual({ condition: 'service_completed_successfully' });
        expect(services[b].healthcheck?.test.join(' ')).toContain('--command-config');
      }
    });

    it("formats every broker volume in one one-shot service with the brokers' own settings", () => {
      expect(storage.restart).toBe('no');
      expect(storage.image).toBe(services[brokers[0]].image);
      const script = (storage.volumes ?? []).find((v) => v.split(':')[1] === storage.entrypoint?.[1]);
      expect(script?.split(':')[0]).toBe('./ops/kafka/format-storage.sh');
      const broker = processEnv(services[brokers[0]].environment);
      for (const [k, v] of Object.entries(broker)) {
        if (['KAFKA_NODE_ID', 'KAFKA_ADVERTISED_LISTENERS'].includes(k)) continue;
        expect({ k, v: storageEnv[k] }).toEqual({ k, v });
      }
      const nodes = storageEnv.KAFKA_FORMAT_NODES.split(/\s+/);
      expect(nodes.sort()).toEqual(
        brokers.map((b) => `${services[b].hostname}=${String(services[b].environment?.KAFKA_NODE_ID)}`).sort(),
      );
      for (const b of brokers) {
        const volume = services[b].volumes![0].split(':')[0];
        expect(storage.volumes).toContain(`${volume}:${storageEnv.KAFKA_FORMAT_ROOT}/${services[b].hostname}`);
      }
    });

    it('gives each app a principal of its own, created at format time with the password the app gets, none a super user', () => {
      const passwords = new Set<string>();
      for (const app of APPS) {
        const env = processEnv(services[app].environment);
        const config = loadConfig({}, env);
        expect(config.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
        expect(config.KAFKA_SASL_USERNAME).toBe(principalOf[app]);
        expect(users[principalOf[app]]).toBe(config.KAFKA_SASL_PASSWORD);
        passwords.add(config.KAFKA_SASL_PASSWORD!);
      }
      expect(passwords.size).toBe(APPS.length);
      const supers = String(services[brokers[0]].environment?.KAFKA_SUPER_USERS);
      for (const app of APPS) expect(supers).not.toContain(`User:${principalOf[app]}`);
    });

    it('sets the ACLs once the brokers are healthy, as the admin principal, with the script the image carries', () => {
      const acls = services['kafka-acls'];
      expect(acls.restart).toBe('no');
      expect(acls.image).toBe('xero-sync:latest');
      expect(acls.command).toEqual(['node', 'dist/scripts/kafka-acls.js']);
      expect(existsSync(join(repoRoot, 'scripts/kafka-acls.ts'))).toBe(true);
      for (const b of brokers) expect(acls.depends_on?.[b]).toEqual({ condition: 'service_healthy' });
      const env = processEnv(acls.environment);
      const known = new Set(Object.keys(envSchema.shape));
      expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
      const config = loadConfig({ require: ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] }, env);
      expect(config.KAFKA_SASL_USERNAME).toBe('admin');
      expect(users.admin).toBe(config.KAFKA_SASL_PASSWORD);
      expect([...config.KAFKA_BROKERS].sort()).toEqual(brokers.map((b) => `${services[b].hostname}:9092`).sort());
    });
  });

  it("uses a cluster id of Kafka's own form (16 bytes, URL-safe base64), the same for every broker", () => {
    const ids = new Set(brokers.map((b) => String(services[b].environment?.CLUSTER_ID)));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('reports MongoDB healthy only once the replica set has a primary', () => {
    const mongo = services.mongodb;
    const test = mongo.healthcheck?.test.join(' ') ?? '';
    expect(test).toContain('rs.initiate');
    expect(test).toMatch(/quit\(db\.hello\(\)\.isWritablePrimary \? 0 : 1\)/);
    expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(mongo.volumes?.some((v) => v.endsWith(':/data/db'))).toBe(true);
  });

  it('publishes every host port once, names every volume once and uses every volume it declares', () => {
    const hostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':')[0]));
    expect(hostPorts.length).toBeGreaterThanOrEqual(4);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    const namedOf = (names: string[]) =>
      names.flatMap((n) =>
        (services[n].volumes ?? [])
          .map((v) => v.split(':')[0])
          .filter((src) => !src.startsWith('.') && !src.startsWith('/')),
      );
    const named = namedOf(Object.keys(services).filter((n) => !oneShot.includes(n)));
    expect(new Set(named).size).toBe(named.length);
    expect([...named].sort()).toEqual(Object.keys(compose.volumes ?? {}).sort());
    for (const v of namedOf(oneShot)) expect(named).toContain(v);
    for (const s of Object.values(services)) {
      for (const bind of (s.volumes ?? []).filter((v) => v.startsWith('./'))) {
        expect(existsSync(join(repoRoot, bind.split(':')[0]))).toBe(true);
      }
    }
  });

  it('limits the CPU and memory of every service', () => {
    for (const [name, s] of Object.entries(services)) {
      expect({ name, limits: Boolean(s.deploy?.resources?.limits?.cpus && s.deploy.resources.limits.memory) }).toEqual({
        name,
        limits: true,
      });
    }
  });

  it('scrapes every app from Prometheus with the metrics credential, and provisions the Grafana dashboard', () => {
    const prometheus = parse(readFileSync(join(repoRoot, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        authorization?: { credentials_file?: string };
        static_configs?: { targets: string[] }[];
        dns_sd_configs?: { names: string[]; port: number }[];
      }[];
    };
    const secret = services.prometheus.secrets?.[0];
    expect(secret).toBeDefined();
    expect(example[compose.secrets?.[secret!]?.environment ?? '']).toBeDefined();
    const targets = prometheus.scrape_configs.flatMap((c) => {
      expect(c.authorization?.credentials_file).toBe(`/run/secrets/${secret}`);
      return [
        ...(c.static_configs ?? []).flatMap((s) => s.targets),
        ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
      ];
    });
    expect(targets.sort()).toEqual(['admin-api:3002', 'ingest:3001', 'syncer:3003']);
    const mounts = services.prometheus.volumes ?? [];
    for (const rules of prometheus.rule_files) expect(mounts.some((m) => m.split(':')[1] === rules)).toBe(true);
    expect(services.prometheus.image).toMatch(/^prom\/prometheus:/);
    expect(services.grafana.image).toMatch(/^grafana\/grafana/);
    const home = String(services.grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    const dashboards = (services.grafana.volumes ?? []).find((v) => home.startsWith(v.split(':')[1] + '/'));
    expect(dashboards).toBeDefined();
    const file = join(repoRoot, dashboards!.split(':')[0], home.slice(dashboards!.split(':')[1].length));
    expect(existsSync(file)).toBe(true);
  });
});

/**
 * The environment a command's `sh -c 'SYNCER_INSTANCE_ID=... exec node ...'` prefix adds, with `$(hostname)`
 * answered by `host` (what each replica's shell would set).
 */
function instanceIdOf(command: string[] | undefined, host = 'c0ffee000001'): Record<string, string> {
  const script = command?.[0] === 'sh' && command[1] === '-c' ? command[2] : '';
  const m = /^SYNCER_INSTANCE_ID="([^"]*)"\s+exec\s/.exec(script);
  if (!m) return {};
  return { SYNCER_INSTANCE_ID: m[1].replace(/\$\(hostname\)/g, host) };
}
