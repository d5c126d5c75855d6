import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { infraCacheDir, repoRoot } from '@xero-sync/testing';
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

function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

/**
 * What compose would run there, run here with the same programs: Kafka's own storage format tool (which builds
 * and validates the broker config) on each broker's settings from docker-compose.yml, and Prometheus' promtool on
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

  it("formats each broker's storage with the compose cluster id and settings (Kafka's format tool validates them)", async () => {
    const brokers = Object.entries(compose.services).filter(([, s]) => s.image === kafkaImage.image);
    expect(brokers).toHaveLength(3);
    const results = await Promise.all(
      brokers.map(async ([name, service]) => {
        const env = processEnv(service.environment);
        const props = brokerProperties(env);
        // The volume's path inside the container becomes a directory here; everything else is as compose has it.
        expect(props['log.dirs']).toBe('/var/lib/kafka/data');
        props['log.dirs'] = join(work, name, 'data');
        const file = join(work, `${name}.properties`);
        writeFileSync(
          file,
          Object.entries(props)
            .map(([k, v]) => `${k}=${v}`)
            .join('\n') + '\n',
        );
        const logConfig = `-Dlog4j2.configurationFile=${join(repoRoot, 'infra/kafka/log4j2.properties')}`;
        const format = await run('java', [
          logConfig,
          '-cp',
          `${kafkaLibs}/*`,
          'kafka.tools.StorageTool',
          'format',
          '--cluster-id',
          env.CLUSTER_ID,
          '--config',
          file,
        ]);
        const meta = format.code === 0 ? readFileSync(join(work, name, 'data', 'meta.properties'), 'utf8') : '';
        return { name, ...format, meta, nodeId: props['node.id'], clusterId: env.CLUSTER_ID };
      }),
    );
    for (const r of results) {
      expect({ broker: r.name, code: r.code, output: r.code === 0 ? '' : r.output }).toEqual({
        broker: r.name,
        code: 0,
        output: '',
      });
      expect(r.meta).toContain(`cluster.id=${r.clusterId}`);
      expect(r.meta).toContain(`node.id=${r.nodeId}`);
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
