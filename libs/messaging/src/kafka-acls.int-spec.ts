import { Kafka, logLevel } from 'kafkajs';
import { topics } from '@xero-sync/contracts';
import { SecuredKafka, startSecuredKafka, tryProduce } from '@xero-sync/testing';
import { appAcls } from './kafka-acls';
import { createKafka, KafkaCredentials } from './kafka.client';

const PASSWORD = 'pw-for-this-test-only';
const principals = { ingest: 'ingest', adminApi: 'admin-api', syncer: 'syncer' };

/**
 * The ACLs of docker-compose on a real, secured broker (a second KRaft broker on its own ports, SASL_PLAINTEXT with
 * SCRAM-SHA-512 and the StandardAuthorizer; the shared PLAINTEXT broker is not touched): who may write what.
 */
describe('Kafka with SASL/SCRAM and ACLs', () => {
  let broker: SecuredKafka;
  const clients: Kafka[] = [];

  const as = (user?: string, password = PASSWORD): Kafka => {
    const sasl: KafkaCredentials | undefined = user
      ? { mechanism: 'scram-sha-512', username: user, password }
      : undefined;
    const kafka = createKafka({ clientId: `acl-${user ?? 'anonymous'}`, brokers: broker.brokers, sasl });
    clients.push(kafka);
    return kafka;
  };
  const produce = tryProduce;

  beforeAll(async () => {
    broker = await startSecuredKafka(
      [...Object.values(principals), 'intruder'].map((name) => ({ name, password: PASSWORD })),
    );
    const admin = as(broker.superUser.name, broker.superUser.password).admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        ...topics.allEntityChanged().map((topic) => ({ topic, numPartitions: 1 })),
        { topic: topics.commands(), numPartitions: 1 },
        { topic: topics.deadLetters(), numPartitions: 1 },
      ],
    });
    await admin.createAcls({ acl: appAcls(principals) });
    await admin.disconnect();
  }, 120_000);

  afterAll(async () => {
    await broker?.stop();
  }, 30_000);

  it('refuses a client that does not authenticate, and one with a wrong password', async () => {
    const anonymous = new Kafka({
      clientId: 'acl-anonymous',
      brokers: broker.brokers,
      connectionTimeout: 2000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
    const admin = anonymous.admin();
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow();
    await admin.disconnect().catch(() => undefined);
    expect(await produce(as('ingest', 'wrong-password'), topics.entityChanged('order'))).toMatch(
      /SASL|authentication|Authentication/i,
    );
  });

  it('lets only ingest write entity topics and only admin-api write commands', async () => {
    const order = topics.entityChanged('order');
    expect(await produce(as('ingest'), order)).toBe('ok');
    expect(await produce(as('ingest'), topics.commands())).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produce(as('ingest'), topics.deadLetters())).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produce(as('admin-api'), topics.commands())).toBe('ok');
    expect(await produce(as('admin-api'), order)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produce(as('syncer'), topics.commands())).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produce(as('syncer'), order)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produce(as('syncer'), topics.deadLetters())).toBe('ok');
    expect(await produce(as('intruder'), order)).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await produce(as('intruder'), topics.commands())).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it('lets the syncer read what ingest wrote, in its own group', async () => {
    const consumer = as('syncer').consumer({ groupId: 'xero-sync-syncer' });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.entityChanged('order')], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.key)) });
    const until = Date.now() + 30_000;
    while (seen.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    await consumer.disconnect();
    expect(seen).toContain('store-1');
  });
});
