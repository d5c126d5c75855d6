import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { infraCacheDir, repoRoot } from './infra.helpers';

/** A SCRAM user of the secured broker. */
export interface ScramUser {
  name: string;
  password: string;
}

/** A running secured broker: where it listens, its super user, and how to stop it (removing its data). */
export interface SecuredKafka {
  brokers: string[];
  superUser: ScramUser;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (for a broker's listeners). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts a second, single-node KRaft broker from the Kafka jars scripts/infra.sh keeps in the cache, secured the
 * way docker-compose runs Kafka: one SASL_PLAINTEXT listener with SCRAM-SHA-512, the StandardAuthorizer, nothing
 * allowed without an ACL, and `admin` as the super user that sets the ACLs up. Its users are created when its
 * storage is formatted. On free ports with a small heap, so it leaves the shared PLAINTEXT broker on 9092 alone.
 */
export async function startSecuredKafka(users: ScramUser[], timeoutMs = 90_000): Promise<SecuredKafka> {
  const libs = join(infraCacheDir(), 'kafka-4.1.0', 'libs');
  if (!existsSync(join(libs, '.complete'))) throw new Error(`no Kafka jars in ${libs}: run npm run infra:up once`);
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'xero-sync-secured-kafka-'));
  const superUser = { name: 'admin', password: 'admin-secret' };
  const props = join(dir, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=SASL_PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=SASL_PLAINTEXT',
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule ' +
        `required username="${superUser.name}" password="${superUser.password}";`,
      'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      // The controller listener (loopback only) is PLAINTEXT: the broker half reaches it as ANONYMOUS.
      `super.users=User:${superUser.name};User:ANONYMOUS`,
      'allow.everyone.if.no.acl.found=false',
      `log.dirs=${join(dir, 'data')}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'auto.create.topics.enable=false',
    ].join('\n'),
  );
  const log4j = `-Dlog4j2.configurationFile=${join(repoRoot, 'infra/kafka/log4j2.properties')}`;
  const scram = [superUser, ...users].flatMap((u) => [
    '--add-scram',
    `SCRAM-SHA-512=[name=${u.name},password=${u.password}]`,
  ]);
  execFileSync(
    'java',
    [
      log4j,
      '-cp',
      `${libs}/*`,
      'kafka.tools.StorageTool',
      'format',
      // One argument with its value: a random id may start with '-', which the tool takes for an option.
      `--cluster-id=${randomBytes(16).toString('base64url')}`,
      '-c',
      props,
      ...scram,
    ],
    { stdio: 'pipe' },
  );
  const stop = await launchKafka(props, dir, port, timeoutMs);
  return { brokers: [`127.0.0.1:${port}`], superUser, stop };
}

/**
 * Runs a KRaft broker (already formatted) from a properties file with the cached Kafka jars, small heap, until its
 * client port answers; resolves with the function that stops it and removes `dir` (its data and logs).
 */
export async function launchKafka(
  propsFile: string,
  dir: string,
  port: number,
  timeoutMs = 90_000,
): Promise<() => Promise<void>> {
  const libs = join(infraCacheDir(), 'kafka-4.1.0', 'libs');
  const log4j = `-Dlog4j2.configurationFile=${join(repoRoot, 'infra/kafka/log4j2.properties')}`;
  const jvm = ['-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', log4j];
  const child: ChildProcess = spawn(
    'java',
    [...jvm, `-Dkafka.logs.dir=${join(dir, 'logs')}`, '-cp', `${libs}/*`, 'kafka.Kafka', propsFile],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(forced);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + timeoutMs;
  while (!(await portOpen(port))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error('the Kafka broker did not start');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return stop;
}

/**
 * Produces one record to `topic` with `kafka`'s credentials; resolves with "ok", "TOPIC_AUTHORIZATION_FAILED" when
 * the broker refused it for the ACLs, or the whole chain of errors kafkajs reported otherwise.
 */
export async function tryProduce(kafka: Kafka, topic: string): Promise<string> {
  const producer = kafka.producer({ retry: { retries: 0 } });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'store-1', value: '{}' }] });
    return 'ok';
  } catch (err) {
    // kafkajs wraps the broker's error (retries exhausted, non-retriable): name the whole chain.
    const chain: string[] = [];
    for (
      let e = err as
        { type?: string; name?: string; message?: string; originalError?: unknown; cause?: unknown } | undefined;
      e;
    ) {
      chain.push(`${e.type ?? ''} ${e.name ?? ''} ${e.message ?? ''}`);
      e = (e.originalError ?? e.cause) as typeof e;
    }
    return /TOPIC_AUTHORIZATION_FAILED|not authorized to access topics/i.test(chain.join(' '))
      ? 'TOPIC_AUTHORIZATION_FAILED'
      : chain.join(' | ');
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
