import { Kafka, logLevel } from 'kafkajs';
import { ConsumerHost, IncomingMessage } from './consumer-host';
import { EventPublisher } from './event-publisher';
import { deleteTopics, ensureTopics } from './topic-admin';
import { eventually, TEST_BROKERS, uniqueSuffix } from '@xero-sync/testing';

// Real broker: the at-least-once guarantees the syncer relies on.
describe('ConsumerHost + EventPublisher on a real Kafka broker', () => {
  const kafka = new Kafka({ clientId: 'int-test', brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
  const topic = `t-${uniqueSuffix()}-store.order.changed.v1`;
  const hosts: ConsumerHost[] = [];
  let publisher: EventPublisher;

  beforeAll(async () => {
    await ensureTopics(kafka, [{ topic, numPartitions: 3 }]);
    publisher = new EventPublisher(kafka);
  });

  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.stop()));
  });

  afterAll(async () => {
    await publisher.disconnect();
    await deleteTopics(kafka, [topic]);
  });

  const host = (groupId: string, handler: (m: IncomingMessage) => Promise<void>) => {
    const h = new ConsumerHost(kafka, { groupId, topics: [topic], retryBackoffMs: { initial: 50, max: 200 } }, handler);
    hosts.push(h);
    return h;
  };

  it('delivers each key in publish order to a consumer group', async () => {
    const stores = ['s1', 's2', 's3', 's4'];
    const messages = stores.flatMap((store) =>
      Array.from({ length: 25 }, (_, i) => ({ topic, key: store, value: JSON.stringify({ store, seq: i }) })),
    );
    await publisher.publish(messages);
    const seen = new Map<string, number[]>();
    const h = host(`g-order-${uniqueSuffix()}`, async (m) => {
      const { store, seq } = JSON.parse(m.value!.toString()) as { store: string; seq: number };
      seen.set(store, [...(seen.get(store) ?? []), seq]);
    });
    await h.start();
    await eventually(async () => [...seen.values()].reduce((n, l) => n + l.length, 0) >= 100);
    for (const store of stores) expect(seen.get(store)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('a lingering publisher sends publishes that arrive within the linger in one produce request, all acknowledged', async () => {
    const lingering = new EventPublisher(kafka, { lingerMs: 500 });
    const admin = kafka.admin();
    const recordsInTopic = async () => (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
    try {
      await admin.connect();
      await lingering.connect();
      const before = await recordsInTopic();
      const one = (i: number) => lingering.publish([{ topic, key: `s${i % 3}`, value: JSON.stringify({ i }) }]);
      const first = Array.from({ length: 10 }, (_, i) => one(i));
      await new Promise((r) => setTimeout(r, 20));
      const second = Array.from({ length: 10 }, (_, i) => one(10 + i));
      await Promise.all([...first, ...second]);
      expect(lingering.sent).toEqual({ requests: 1, records: 20 });
      expect((await recordsInTopic()) - before).toBe(20);
      // Without a linger the first publish goes alone and the rest follow it.
      const requestsBefore = publisher.sent.requests;
      await Promise.all(Array.from({ length: 10 }, (_, i) => publisher.publish([{ topic, key: 's0', value: `${i}` }])));
      expect(publisher.sent.requests - requestsBefore).toBe(2);
    } finally {
      await lingering.disconnect();
      await admin.disconnect();
    }
  });

  it("keeps every produce request under Kafka's batch size limit: one store's 3 MB land, in order", async () => {
    // One key, one partition, one record batch per request: over message.max.bytes (1 MiB) Kafka refuses the
    // whole request as MESSAGE_TOO_LARGE, as it did for a backfill of 2,000 orders in one request.
    const admin = kafka.admin();
    const partitionOf = async () => (await admin.fetchTopicOffsets(topic)).map((p) => Number(p.high));
    try {
      await admin.connect();
      const before = await partitionOf();
      const requestsBefore = publisher.sent.requests;
      const pad = 'x'.repeat(1000);
      const big = Array.from({ length: 3000 }, (_, seq) => ({
        topic,
        key: 'big-store',
        value: JSON.stringify({ seq, pad }),
      }));
      // Two publishes queued together, as a backfill's chunks are: the group commit must split them too.
      await Promise.all([publisher.publish(big.slice(0, 1500)), publisher.publish(big.slice(1500))]);
      const added = (await partitionOf()).map((high, i) => high - before[i]);
      expect(added.reduce((a, b) => a + b, 0)).toBe(3000);
      expect(added.filter((n) => n > 0)).toEqual([3000]);
      expect(publisher.sent.requests - requestsBefore).toBeGreaterThanOrEqual(4);
      const seqs: number[] = [];
      const h = host(`g-big-${uniqueSuffix()}`, async (m) => {
        if (m.key?.toString() === 'big-store') seqs.push((JSON.parse(m.value!.toString()) as { seq: number }).seq);
      });
      await h.start();
      await eventually(async () => seqs.length >= 3000, 60_000);
      expect(seqs).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    } finally {
      await admin.disconnect();
    }
  });

  it('starts on a topic that appears only after it began subscribing (apps start side by side)', async () => {
    const late = `t-${uniqueSuffix()}-store.customer.changed.v1`;
    const seen: string[] = [];
    const h = new ConsumerHost(kafka, { groupId: `g-late-${uniqueSuffix()}`, topics: [late] }, async (m) => {
      seen.push(m.value!.toString());
    });
    hosts.push(h);
    try {
      const started = h.start();
      await new Promise((r) => setTimeout(r, 1000));
      await ensureTopics(kafka, [{ topic: late, numPartitions: 1 }]);
      await started;
      await publisher.publish([{ topic: late, key: 's1', value: 'after-start' }]);
      await eventually(async () => seen.includes('after-start'));
    } finally {
      await h.stop();
      await deleteTopics(kafka, [late]);
    }
  });

  it('redelivers what a consumer had not committed when it died (at-least-once)', async () => {
    const groupId = `g-alo-${uniqueSuffix()}`;
    const key = `k-${uniqueSuffix()}`;
    await publisher.publish(Array.from({ length: 10 }, (_, i) => ({ topic, key, value: JSON.stringify({ key, i }) })));
    const firstRun: number[] = [];
    // First consumer handles the first 4 messages of our key, then "dies": its handler never returns on the 5th.
    let release: () => void = () => undefined;
    const stuck = new Promise<void>((r) => (release = r));
    const first = host(groupId, async (m) => {
      const body = JSON.parse(m.value!.toString()) as { key: string; i: number };
      if (body.key !== key) return;
      if (body.i === 4) {
        await stuck;
        throw new Error('killed mid-message');
      }
      firstRun.push(body.i);
    });
    await first.start();
    await eventually(async () => firstRun.length === 4);
    release();
    await first.stop();
    hosts.splice(hosts.indexOf(first), 1);

    const secondRun: number[] = [];
    const second = host(groupId, async (m) => {
      const body = JSON.parse(m.value!.toString()) as { key: string; i: number };
      if (body.key === key) secondRun.push(body.i);
    });
    await second.start();
    await eventually(async () => secondRun.includes(9));
    // Nothing after the failed message was skipped; the unfinished one came again.
    expect(secondRun).toEqual(expect.arrayContaining([4, 5, 6, 7, 8, 9]));
    expect([...new Set([...firstRun, ...secondRun])].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('retries a failing handler in place without committing past it or crashing the host', async () => {
    const groupId = `g-retry-${uniqueSuffix()}`;
    const key = `k-${uniqueSuffix()}`;
    await publisher.publish([0, 1, 2].map((i) => ({ topic, key, value: JSON.stringify({ key, i }) })));
    let healthy = false;
    let attempts = 0;
    let failing: { partition: number; offset: number } | undefined;
    const handled: number[] = [];
    const h = host(groupId, async (m) => {
      const body = JSON.parse(m.value!.toString()) as { key: string; i: number };
      if (body.key !== key) return;
      if (body.i === 1 && !healthy) {
        attempts += 1;
        failing = { partition: m.partition, offset: Number(m.offset) };
        throw new Error('transient');
      }
      handled.push(body.i);
    });
    const committedOffset = async (partition: number) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return Number(offsets.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      } finally {
        await admin.disconnect();
      }
    };
    await h.start();
    await eventually(async () => attempts >= 3);
    // Past the auto-commit interval while message 1 keeps failing: nothing at or beyond it is committed.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await committedOffset(failing!.partition)).toBeLessThanOrEqual(failing!.offset);
    expect(handled).toEqual([0]);

    healthy = true;
    await eventually(async () => handled.length === 3);
    expect(handled).toEqual([0, 1, 2]);
    await h.stop();
    hosts.splice(hosts.indexOf(h), 1);
    // After a clean stop the group resumes after message 2.
    expect(await committedOffset(failing!.partition)).toBe(failing!.offset + 2);
  });
  it('handles messages of one partition side by side, one key at a time, committing only the finished prefix', async () => {
    const groupId = `g-within-${uniqueSuffix()}`;
    const key = `k-${uniqueSuffix()}`;
    // Four records, three versions each, interleaved on one partition (one Kafka key).
    const order = [0, 1, 2].flatMap((v) => [0, 1, 2, 3].map((rec) => ({ rec, v })));
    await publisher.publish(order.map((m) => ({ topic, key, value: JSON.stringify({ key, ...m }) })));
    const recordOf = (m: IncomingMessage) => {
      try {
        const body = JSON.parse(m.value!.toString()) as { key?: string; rec?: number };
        return body.key === key ? `rec-${body.rec}` : `other-${m.offset}`;
      } catch {
        return `other-${m.offset}`;
      }
    };
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let heldOffset = -1;
    let heldPartition = -1;
    let inFlight = 0;
    let maxInFlight = 0;
    const versions = new Map<number, number[]>();
    const h = new ConsumerHost(
      kafka,
      {
        groupId,
        topics: [topic],
        retryBackoffMs: { initial: 50, max: 200 },
        withinPartition: { concurrency: 3, keyOf: recordOf },
      },
      async (m) => {
        const body = JSON.parse(m.value!.toString()) as { key?: string; rec: number; v: number };
        if (body.key !== key) return;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          // Record 1's first version is slow: the other records go on meanwhile, record 1's later versions wait.
          if (body.rec === 1 && body.v === 0) {
            heldOffset = Number(m.offset);
            heldPartition = m.partition;
            await held;
          } else await new Promise((r) => setTimeout(r, 30));
          versions.set(body.rec, [...(versions.get(body.rec) ?? []), body.v]);
        } finally {
          inFlight -= 1;
        }
      },
    );
    hosts.push(h);
    // The held message's partition only: the topic is shared with the other tests, whose partitions run ahead.
    const committed = async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return Number(offsets.partitions.find((p) => p.partition === heldPartition)?.offset ?? -1);
      } finally {
        await admin.disconnect();
      }
    };
    await h.start();
    await eventually(async () => [0, 2, 3].every((rec) => versions.get(rec)?.length === 3));
    expect(versions.get(1)).toBeUndefined();
    // Past the auto-commit interval: nothing at or beyond the unfinished message is committed.
    await new Promise((r) => setTimeout(r, 1500));
    try {
      expect(await committed()).toBeLessThanOrEqual(heldOffset);
    } finally {
      release();
    }
    await eventually(async () => versions.get(1)?.length === 3);
    for (const rec of [0, 1, 2, 3]) expect(versions.get(rec)).toEqual([0, 1, 2]);
    expect(maxInFlight).toBe(3);
    await h.stop();
    hosts.splice(hosts.indexOf(h), 1);
    expect(await committed()).toBeGreaterThan(heldOffset + 8);
  });
});
