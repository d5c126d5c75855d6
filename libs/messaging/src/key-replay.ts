import { Logger } from '@nestjs/common';
import { Kafka, Partitioners, PartitionerArgs } from 'kafkajs';
import { IncomingMessage, toIncoming } from './consumer-host';

/** One partition's part of a replay: `from` (inclusive) up to `to` (exclusive), as offsets. */
export interface KeyReplayRange {
  topic: string;
  partition: number;
  from: string;
  to: string;
}

/** The partition the publisher's partitioner (kafkajs's default, murmur2 of the key) gives `key` among `count`. */
export function partitionOfKey(topic: string, key: string, count: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
  })) as PartitionerArgs['partitionMetadata'];
  return partitioner({ topic, partitionMetadata, message: { key, value: null } });
}

/**
 * What a replay of `key`'s messages since `since` reads on each topic: the key's partition (messages are keyed, so
 * all of them are there), from the first offset whose timestamp is at or after `since` up to the partition's end now.
 * Messages published later are not part of it (the live consumers handle them).
 */
export async function keyReplayRanges(
  kafka: Kafka,
  topics: string[],
  key: string,
  since: Date,
): Promise<KeyReplayRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ranges: KeyReplayRange[] = [];
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const partition = partitionOfKey(topic, key, ends.length);
      const starts = await admin.fetchTopicOffsetsByTimestamp(topic, since.getTime());
      const from = starts.find((s) => s.partition === partition)?.offset;
      const to = ends.find((e) => e.partition === partition)?.high;
      if (from === undefined || to === undefined) throw new Error(`no offsets for ${topic}[${partition}]`);
      ranges.push({ topic, partition, from, to });
    }
    return ranges;
  } finally {
    await admin.disconnect();
  }
}

export interface ReadRangesOptions {
  /** A consumer group of the replay's own, so the live consumers' offsets are not touched; deleted at the end. */
  groupId: string;
  ranges: KeyReplayRange[];
  /** Called in order per partition; a throw ends the read with that error. */
  onMessage: (message: IncomingMessage) => Promise<void>;
  /** Checked between messages: true ends the read early (the syncer is stopping). */
  shouldStop?: () => boolean;
}

/**
 * Reads the messages of `ranges` once, in order per partition, and resolves when every range reached its end (or
 * `shouldStop` said so); rejects when `onMessage` throws. Messages outside the ranges are ignored.
 */
export async function readRanges(kafka: Kafka, options: ReadRangesOptions): Promise<void> {
  const logger = new Logger('KeyReplay');
  const open = new Map<string, KeyReplayRange>();
  for (const r of options.ranges) if (BigInt(r.from) < BigInt(r.to)) open.set(`${r.topic}:${r.partition}`, r);
  if (open.size === 0) return;
  const consumer = kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false, sessionTimeout: 30000 });
  let settle!: (err?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    settle = (err?: unknown) =>
      err ? reject(err instanceof Error ? err : new Error('replay read failed')) : resolve();
  });
  consumer.on(consumer.events.CRASH, (event) => settle(event.payload.error));
  // A stop must end the read even while no message arrives.
  const stopCheck = setInterval(() => {
    if (options.shouldStop?.()) settle();
  }, 500);
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set(options.ranges.map((r) => r.topic))], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const range = open.get(`${topic}:${partition}`);
        if (!range || BigInt(message.offset) >= BigInt(range.to)) return;
        if (options.shouldStop?.()) return settle();
        try {
          const timer = setInterval(() => void heartbeat().catch(() => undefined), 1000);
          try {
            await options.onMessage(toIncoming(topic, partition, message));
          } finally {
            clearInterval(timer);
          }
        } catch (err) {
          return settle(err);
        }
        if (BigInt(message.offset) + 1n >= BigInt(range.to)) {
          open.delete(`${topic}:${partition}`);
          consumer.pause([{ topic, partitions: [partition] }]);
          if (open.size === 0) settle();
        }
      },
    });
    for (const r of open.values()) consumer.seek({ topic: r.topic, partition: r.partition, offset: r.from });
    await done;
  } finally {
    clearInterval(stopCheck);
    await consumer.disconnect().catch((err: unknown) => logger.warn(`replay consumer disconnect: ${String(err)}`));
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([options.groupId]))
      .catch((err: unknown) => logger.warn(`could not delete replay group ${options.groupId}: ${String(err)}`))
      .finally(() => void admin.disconnect().catch(() => undefined));
  }
}
