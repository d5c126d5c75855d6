import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadConfig } from '@xero-sync/config';
import { topics } from '@xero-sync/contracts';
import { applyAppAcls, createKafka, DEFAULT_APP_PRINCIPALS, kafkaCredentialsOf } from '@xero-sync/messaging';
import { freePort, infraCacheDir, launchKafka, repoRoot, tryProduce } from '@xero-sync/testing';
import { ComposeFile, loadCompose, processEnv, readEnvFile } from './compose-file';

jest.setTimeout(180_000);

/** Variables the apache/kafka image gives the JVM rather than writing them to server.properties. */
const NOT_PROPERTIES = new Set([
  'KAFKA_VERSION',
  'KAFKA_HEAP_OPTS',
  'KAFKA_LOG4J_OPTS',
  'KAFKA_OPTS',
  'KAFKA_JMX_OPTS',
  'KAFKA_JVM_PERFORMANCE_OPTS',
  'KAFKA_GC_LOG_OPTS',
  'KAFKA_LOG4J_ROOT_LOGLEVEL',
  'KAFKA_LOG4J_LOGGERS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL',
  'KAFKA_JMX_HOSTNAME',
  'KAFKA_JMX_PORT',
]);

/**
 * server.properties as the apache/kafka image writes it from its environment: KAFKA_ dropped, lower case,
 * `___` → `-`, `__` → `_`, `_` → `.`.
 */
function brokerProperties(env: Record<string, string>): Record<string, string> {
  const props: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('KAFKA_') || NOT_PROPERTIES.has(key)) continue;
    const name = key
      .slice('KAFKA_'.length)
      .toLowerCase()
      .split('___')
      .map((part) =>
        part
          .split('__')
          .map((p) => p.replace(/_/g, '.'))
          .join('_'),
      )
      .join('-');
    props[name] = value;
  }
  return props;
}

function run(
  cmd: string,
  args: string[],
  env?: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    // With `env`, the child sees only it (and PATH): the format script reads every KAFKA_* variable it is given.
    const childEnv = env ? { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } : process.env;
    const child = spawn(cmd, args, { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/**
 * What compose would run there, run here with the same programs: the kafka-storage service's script with Kafka's own
 * storage format tool (which builds and validates the broker config) on the brokers' settings from docker-compose.yml,
 * one broker started from kafka-1's settings with the ACLs the kafka-acls service sets, and Prometheus' promtool on
 * the scrape config and the alert rules with their unit tests. `scripts/infra.sh tools` fetches both once.
 */
describe('deployment files through the programs that run them', () => {
  const kafkaVersion = /<kafka.version>(.*)<\/kafka.version>/.exec(
    readFileSync(join(repoRoot, 'infra/kafka/pom.xml'), 'utf8'),
  )![1];
  const kafkaLibs = join(infraCacheDir(), `kafka-${kafkaVersion}`, 'libs');
  const promtool = join(infraCacheDir(), 'promtool', 'promtool');
  const compose: ComposeFile = loadCompose(readEnvFile(join(repoRoot, '.env.example')));
  const work = mkdtempSync(join(tmpdir(), 'xero-sync-deploy-'));

  beforeAll(() => {
    const tools = spawnSync('bash', [join(repoRoot, 'scripts/infra.sh'), 'tools'], { encoding: 'utf8' });
    if (tools.status !== 0) throw new Error(`scripts/infra.sh tools failed:\n${tools.stderr}`);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const kafkaImage = compose['x-kafka'] as { image: string };

  it('uses the Kafka version the project downloads', () => {
    expect(kafkaImage.image).toBe(`apache/kafka:${kafkaVersion}`);
  });

  /** KAFKA_STORAGE_TOOL for ops/kafka/format-storage.sh: the jars' own format tool instead of the image's script. */
  const storageTool = () =>
    [
      'java',
      `-Dlog4j2.configurationFile=${join(repoRoot, 'infra/kafka/log4j2.properties')}`,
      '-cp',
      `${kafkaLibs}/*`,
      'kafka.tools.StorageTool',
    ].join(' ');
  const formatStorage = (env: Record<string, string>) =>
    run('bash', [join(repoRoot, 'ops/kafka/format-storage.sh')], { ...env, KAFKA_STORAGE_TOOL: storageTool() });

  it("formats every broker's storage through the kafka-storage service's script, with the compose cluster id, settings and SCRAM users", async () => {
    const storage = compose.services['kafka-storage'];
    const env = processEnv(storage.environment);
    const root = join(work, 'volumes');
    const format = await formatStorage({ ...env, KAFKA_FORMAT_ROOT: root });
    expect({ code: format.code, output: format.code === 0 ? '' : format.output }).toEqual({ code: 0, output: '' });
    for (const node of env.KAFKA_FORMAT_NODES.split(/\s+/)) {
      const [host, id] = node.split('=');
      const meta = readFileSync(join(root, host, 'meta.properties'), 'utf8');
      expect(meta).toContain(`cluster.id=${env.CLUSTER_ID}`);
      expect(meta).toContain(`node.id=${id}`);
      // The SCRAM users are in the bootstrap metadata the broker starts from.
      const checkpoint = readFileSync(join(root, host, 'bootstrap.checkpoint')).toString('latin1');
      for (const user of env.KAFKA_FORMAT_SCRAM_USERS.split(/\s+/)) expect(checkpoint).toContain(user.split('=')[0]);
    }
    // A second run (a restarted stack) leaves formatted volumes alone.
    const again = await formatStorage({ ...env, KAFKA_FORMAT_ROOT: root });
    expect(again.code).toBe(0);
    expect(again.output).toMatch(/kafka-1: formatted already/);
  });

  it("runs a broker with kafka-1's settings: unauthenticated clients refused, each app's principal only what its ACLs allow", async () => {
    // kafka-1 as compose has it, on local ports with a quorum of itself and replication factors of one.
    const broker = processEnv(compose.services['kafka-1'].environment);
    const storageEnv = processEnv(compose.services['kafka-storage'].environment);
    const [port, controllerPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'xero-sync-compose-kafka-'));
    const local: Record<string, string> = {
      ...broker,
      KAFKA_CONTROLLER_QUORUM_VOTERS: `1@127.0.0.1:${controllerPort}`,
      KAFKA_LISTENERS: `CLIENT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
      KAFKA_MIN_INSYNC_REPLICAS: '1',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    };
    const format = await formatStorage({
      ...local,
      KAFKA_FORMAT_NODES: 'kafka-1=1',
      KAFKA_FORMAT_ROOT: dir,
      KAFKA_FORMAT_SCRAM_USERS: storageEnv.KAFKA_FORMAT_SCRAM_USERS,
    });
    expect({ code: format.code, output: format.code === 0 ? '' : format.output }).toEqual({ code: 0, output: '' });
    const props = brokerProperties({
      ...local,
      KAFKA_ADVERTISED_LISTENERS: `CLIENT://127.0.0.1:${port}`,
      KAFKA_LOG_DIRS: join(dir, 'kafka-1'),
    });
    const file = join(dir, 'server.properties');
    writeFileSync(
      file,
      Object.entries(props)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') + '\n',
    );
    const stop = await launchKafka(file, dir, port);
    const clients: { disconnect(): Promise<void> }[] = [];
    try {
      const users = Object.fromEntries(
        storageEnv.KAFKA_FORMAT_SCRAM_USERS.split(/\s+/).map((u) => [
          u.slice(0, u.indexOf('=')),
          u.slice(u.indexOf('=') + 1),
        ]),
      );
      const brokers = [`127.0.0.1:${port}`];
      const as = (service: string) => {
        const config = loadConfig(
          {},
          { ...processEnv(compose.services[service].environment), KAFKA_BROKERS: brokers.join(',') },
        );
        return createKafka({ clientId: `compose-${service}`, brokers, sasl: kafkaCredentialsOf(config) });
      };
      // What the kafka-acls service does, as the admin principal it runs as (topics first: the apps create them).
      const admin = as('kafka-acls').admin();
      clients.push(admin);
      await admin.connect();
      await admin.createTopics({
        waitForLeaders: true,
        topics: [...topics.allEntityChanged(), topics.commands(), topics.deadLetters()].map((topic) => ({
          topic,
          numPartitions: 1,
        })),
      });
      expect(await applyAppAcls(as('kafka-acls'), DEFAULT_APP_PRINCIPALS)).toBeGreaterThan(20);

      const anonymous = createKafka({ clientId: 'compose-anonymous', brokers }).admin();
      clients.push(anonymous);
      await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow();
      const wrong = createKafka({
        clientId: 'compose-wrong-password',
        brokers,
        sasl: { mechanism: 'scram-sha-512', username: 'ingest', password: `${users.ingest}-not` },
      });
      expect(await tryProduce(wrong, topics.entityChanged('order'))).toMatch(/SASL|authentication/i);

      const order = topics.entityChanged('order');
      const outcomes = {
        ingest: [await tryProduce(as('ingest'), order), await tryProduce(as('ingest'), topics.commands())],
        'admin-api': [await tryProduce(as('admin-api'), topics.commands()), await tryProduce(as('admin-api'), order)],
        syncer: [await tryProduce(as('syncer'), topics.deadLetters()), await tryProduce(as('syncer'), order)],
      };
      expect(outcomes).toEqual({
        ingest: ['ok', 'TOPIC_AUTHORIZATION_FAILED'],
        'admin-api': ['ok', 'TOPIC_AUTHORIZATION_FAILED'],
        syncer: ['ok', 'TOPIC_AUTHORIZATION_FAILED'],
      });
    } finally {
      for (const c of clients) await c.disconnect().catch(() => undefined);
      await stop();
    }
  });

  it('passes promtool check rules and the alert unit tests (promtool test rules)', async () => {
    const check = await run(promtool, ['check', 'rules', 'ops/prometheus/alerts.rules.yml']);
    expect({ code: check.code, output: check.code === 0 ? '' : check.output }).toEqual({ code: 0, output: '' });
    const tests = await run(promtool, ['test', 'rules', 'ops/prometheus/alerts.test.yml']);
    expect({ code: tests.code, output: tests.code === 0 ? '' : tests.output }).toEqual({ code: 0, output: '' });
    expect(tests.output).toContain('SUCCESS');
  });

  it("passes promtool check config with the compose stack's paths", async () => {
    // The container's paths (/etc/prometheus, /run/secrets) mapped to the repository's files and a token here.
    const config = parse(readFileSync(join(repoRoot, 'ops/prometheus/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { authorization?: { credentials_file?: string } }[];
    };
    const token = join(work, 'metrics_token');
    writeFileSync(token, 'example-token\n');
    config.rule_files = config.rule_files.map((f) => join(repoRoot, 'ops/prometheus', f.split('/').pop()!));
    for (const job of config.scrape_configs) {
      if (job.authorization?.credentials_file) job.authorization.credentials_file = token;
    }
    const file = join(work, 'prometheus.yml');
    writeFileSync(file, stringify(config));
    const check = await run(promtool, ['check', 'config', file]);
    expect({ code: check.code, output: check.code === 0 ? '' : check.output }).toEqual({ code: 0, output: '' });
  });
});
