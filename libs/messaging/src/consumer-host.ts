import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { waitOutRetriable } from './retriable';

/** A consumed record, decoupled from kafkajs types. */
export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

/**
 * Handles one message. Resolve = done (the offset may be committed). Throw = not done: the host retries
 * the same message with backoff, never skips it and never commits past it. Permanent failures (poison
 * messages) are the handler's to divert (e.g. to a DLQ) and then resolve.
 */
export type MessageHandler = (message: IncomingMessage, ctx: { heartbeat(): Promise<void> }) => Promise<void>;

export interface ConsumerHostOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /** Partitions processed in parallel (each partition stays strictly in order). */
  partitionsConcurrently?: number;
  sessionTimeoutMs?: number;
  retryBackoffMs?: { initial: number; max: number };
  /**
   * How long `start()` waits out retriable broker errors while subscribing (default 60 s), e.g. a topic another
   * app created a moment ago that this broker's metadata does not list yet ("does not host this topic-partition").
   */
  subscribePatienceMs?: number;
  /**
   * Messages of one partition handled at once (default 1: strictly one after another). With more, a message still
   * never starts while an earlier one of the same `keyOf` is being handled, and offsets are resolved only up to the
   * first unfinished message, so after a crash or rebalance every message from there on is handled again.
   */
  withinPartition?: { concurrency: number; keyOf(message: IncomingMessage): string };
}

/**
 * At-least-once consumer-group host. An offset is resolved only after the handler succeeded, and only
 * resolved offsets are committed (every second or 200 messages), so a crash replays from the last commit,
 * never past a failure. A failing handler is retried in place with exponential backoff while heartbeats keep the member
 * in the group; it never reaches kafkajs's crash/restart loop. Handlers must be idempotent because a
 * rebalance or crash can deliver a message again.
 */
export class ConsumerHost {
  private readonly logger = new Logger(ConsumerHost.name);
  private readonly consumer: Consumer;
  private running = false;
  private stopping = false;

  constructor(
    kafka: Kafka,
    private readonly options: ConsumerHostOptions,
    private readonly handler: MessageHandler,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      retry: {
        retries: 10,
        initialRetryTime: 300,
        maxRetryTime: 10000,
        // Broker/network errors: let kafkajs reconnect and resume from the committed offset.
        restartOnFailure: async (err: Error) => {
          this.logger.warn(`consumer ${options.groupId} restarting after: ${err.message}`);
          return !this.stopping;
        },
      },
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.logger.error(`consumer ${options.groupId} crashed (restart=${restart}): ${error.message}`);
    });
  }

  /** Joins the group and starts consuming; resolves once running (not when consumption ends). */
  async start(): Promise<void> {
    await this.consumer.connect();
    // Apps start side by side: a topic another app created a moment ago can be missing from this broker's
    // metadata for a while, which must not stop this app's boot.
    await waitOutRetriable(
      () => this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true }),
      this.options.subscribePatienceMs ?? 60_000,
      (err) => this.logger.warn(`consumer ${this.options.groupId} could not subscribe yet, retrying: ${err.message}`),
    );
    this.running = true;
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      autoCommitThreshold: 200,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 4,
      eachBatch: (payload) => this.processBatch(payload),
    });
  }

  /** Leaves the group after committing what was processed. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.running = false;
    await this.consumer.disconnect();
  }

  /** Resolves once the group has been joined and partitions assigned (used by tests and start-up probes). */
  waitForAssignment(timeoutMs = 30000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new Error(`no partition assignment within ${timeoutMs} ms`));
      }, timeoutMs);
      const remove = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        remove();
        resolve();
      });
    });
  }

  private async processBatch(payload: EachBatchPayload): Promise<void> {
    const within = this.options.withinPartition;
    if (within && within.concurrency > 1) return this.processBatchConcurrently(payload, within);
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const done = await this.handleWithRetry(
        toIncoming(batch.topic, batch.partition, message),
        heartbeat,
        () => isRunning() && !isStale(),
      );
      if (!done) break;
      resolveOffset(message.offset);
      await commitOffsetsIfNecessary();
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
  }

  /**
   * Up to `concurrency` messages of the batch at once. A message whose key is being handled waits behind it (in
   * offset order) while later messages of other keys start, so one slow record does not hold up the rest. Only the
   * finished prefix is resolved: a message that finished after an unfinished one is handled again after a crash or
   * rebalance (handlers are idempotent). Once the partition is lost nothing new starts.
   */
  private async processBatchConcurrently(
    payload: EachBatchPayload,
    within: NonNullable<ConsumerHostOptions['withinPartition']>,
  ): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const owned = () => isRunning() && !isStale();
    const incoming = batch.messages.map((m) => toIncoming(batch.topic, batch.partition, m));
    const finished = new Array<boolean>(incoming.length).fill(false);
    let resolvedUpTo = 0;
    let lost = false;
    const inFlight = new Set<Promise<void>>();
    // A key is busy while it has an entry: the messages waiting behind the one being handled.
    const waitingBehind = new Map<string, number[]>();
    const run = (i: number, key: string): void => {
      const handled: Promise<void> = this.handleWithRetry(incoming[i], heartbeat, owned)
        .then((done) => {
          if (!done) {
            lost = true;
            return;
          }
          finished[i] = true;
          while (resolvedUpTo < finished.length && finished[resolvedUpTo])
            resolveOffset(incoming[resolvedUpTo++].offset);
        })
        .finally(() => {
          inFlight.delete(handled);
          const next = lost || !owned() ? undefined : waitingBehind.get(key)?.shift();
          if (next === undefined) waitingBehind.delete(key);
          else run(next, key);
        });
      inFlight.add(handled);
    };
    for (let i = 0; i < incoming.length && owned() && !lost; i++) {
      const key = within.keyOf(incoming[i]);
      const behind = waitingBehind.get(key);
      if (behind) {
        behind.push(i);
        continue;
      }
      while (inFlight.size >= within.concurrency) {
        await Promise.race(inFlight);
        await commitOffsetsIfNecessary();
      }
      if (!owned() || lost) break;
      waitingBehind.set(key, []);
      run(i, key);
      await heartbeat();
    }
    // Messages waiting behind a key start as the one before them finishes.
    while (inFlight.size > 0) {
      await Promise.race(inFlight);
      await commitOffsetsIfNecessary();
    }
    await commitOffsetsIfNecessary();
  }

  /** Retries until the handler succeeds or the partition is taken away; returns whether it succeeded. */
  private async handleWithRetry(
    incoming: IncomingMessage,
    heartbeat: () => Promise<void>,
    stillOwned: () => boolean,
  ): Promise<boolean> {
    const backoff = this.options.retryBackoffMs ?? { initial: 200, max: 10000 };
    const { topic, partition, offset } = incoming;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.handler(incoming, { heartbeat });
        return true;
      } catch (err) {
        const delay = Math.min(backoff.max, backoff.initial * 2 ** attempt) * (0.5 + Math.random() / 2);
        this.logger.warn(
          `handler failed on ${topic}[${partition}]@${offset} (attempt ${attempt + 1}), retrying in ${Math.round(delay)} ms: ${
            err instanceof Error ? err.message : String(err)
          }`,
        );
        const until = Date.now() + delay;
        while (Date.now() < until) {
          if (!stillOwned()) return false;
          await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
          await heartbeat().catch(() => undefined);
        }
        if (!stillOwned()) return false;
      }
    }
  }
}

/** The message as handlers see it (headers as strings). */
export function toIncoming(topic: string, partition: number, m: KafkaMessage): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key ? m.key.toString() : null,
    value: m.value,
    headers,
    timestamp: m.timestamp,
  };
}
