import { CompressionTypes, Kafka, Message, Partitioners, Producer, TopicMessages } from 'kafkajs';
import { BrokerUnavailableError } from './messaging.errors';
import { waitOutRetriable } from './retriable';

/** One record to publish. `key` decides the partition (the store id, so one store's events stay ordered). */
export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface EventPublisherOptions {
  /** How long a publish may wait for the broker's acknowledgement before failing as unavailable. */
  ackTimeoutMs?: number;
  /** Upper bound of records sent in one produce request. */
  maxBatch?: number;
  /**
   * Upper bound of bytes (keys, values, headers) in one produce request. Kafka refuses a record batch over its
   * `message.max.bytes` (1 MiB by default) as MESSAGE_TOO_LARGE, and one store's records share a partition, so they
   * form one batch: a publish larger than this goes out in several requests, one after another.
   */
  maxRequestBytes?: number;
  /**
   * How long a publish may wait for others to join its produce request (Kafka's `linger.ms`). Default 0: the
   * group commit alone decides (records queue up only while a request is in flight).
   */
  lingerMs?: number;
}

interface Pending {
  messages: OutgoingMessage[];
  /** Their size as maxRequestBytes counts it. */
  bytes: number;
  /** When it was queued (performance.now()), for the linger. */
  at: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Idempotent producer (acks=all, one request in flight so retries cannot reorder) with group commit:
 * publishes that arrive while a produce request is in flight are sent together in the next request, so
 * throughput grows with load while each caller still learns exactly when its own records are acknowledged.
 * `publish` resolves only after Kafka acknowledged every record; it rejects with BrokerUnavailableError
 * when that does not happen within `ackTimeoutMs` (the records may still land later: consumers dedupe).
 */
export class EventPublisher {
  private readonly producer: Producer;
  private readonly ackTimeoutMs: number;
  private readonly maxBatch: number;
  private readonly maxRequestBytes: number;
  private readonly lingerMs: number;
  private queue: Pending[] = [];
  private queued = 0;
  private inFlight = false;
  private lingering: NodeJS.Timeout | undefined;
  /** Produce requests made and the records they carried, since start (how well requests are filled). */
  readonly sent = { requests: 0, records: 0 };
  private connected: Promise<void> | undefined;

  constructor(kafka: Kafka, options: EventPublisherOptions = {}) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.maxBatch = options.maxBatch ?? 2000;
    this.maxRequestBytes = options.maxRequestBytes ?? 900_000;
    this.lingerMs = options.lingerMs ?? 0;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // Bounded retries (kafkajs warns this weakens exactly-once): an unbounded idempotent producer would hold
      // a webhook forever while Kafka is down, and the store must get its 503 instead. A record that lands
      // after its caller timed out is a duplicate delivery, which consumers already tolerate.
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    });
  }

  /**
   * Connects the producer. At start-up (`patienceMs` > 0) retriable broker errors — a broker that has just
   * restarted and is still loading its coordinators — are waited out instead of failing the app's boot.
   */
  async connect(patienceMs = 0): Promise<void> {
    await waitOutRetriable(() => {
      this.connected ??= this.producer.connect().catch((err: unknown) => {
        this.connected = undefined;
        throw err;
      });
      return this.connected;
    }, patienceMs);
  }

  /** Publishes all messages; resolves once Kafka acknowledged all of them (acks=all). */
  publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const acked = new Promise<void>((resolve, reject) => {
      const bytes = messages.reduce((sum, m) => sum + sizeOf(m), 0);
      this.queue.push({ messages, bytes, at: performance.now(), resolve, reject });
      this.queued += messages.length;
    });
    this.pump();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BrokerUnavailableError('no acknowledgement in time')), this.ackTimeoutMs);
    });
    return Promise.race([acked, timeout]).finally(() => clearTimeout(timer));
  }

  async disconnect(): Promise<void> {
    // Let queued records go out first: a clean shutdown flushes.
    while (this.inFlight || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }

  private pump(): void {
    if (this.inFlight || this.queue.length === 0) return;
    // Linger: a request not yet full waits until its oldest record has waited lingerMs, so one produce request
    // carries many records; at a few thousand webhooks a second that costs Kafka and kafkajs far less per record.
    // Records that queued up behind a request in flight have waited already and go at once.
    const wait = this.lingerMs - (performance.now() - this.queue[0].at);
    if (wait > 0 && this.queued < this.maxBatch) {
      this.lingering ??= setTimeout(() => {
        this.lingering = undefined;
        this.send(...this.take());
      }, wait);
      return;
    }
    this.send(...this.take());
  }

  /** Dequeues the next request's publishes (at most maxBatch records, at least one publish) and their record count. */
  private take(): [Pending[], number] {
    if (this.lingering) clearTimeout(this.lingering);
    this.lingering = undefined;
    this.inFlight = true;
    const batch: Pending[] = [];
    let count = 0;
    let bytes = 0;
    const fits = (next: Pending) =>
      count + next.messages.length <= this.maxBatch && bytes + next.bytes <= this.maxRequestBytes;
    while (this.queue.length > 0 && (count === 0 || fits(this.queue[0]))) {
      const next = this.queue.shift()!;
      batch.push(next);
      count += next.messages.length;
      bytes += next.bytes;
    }
    this.queued -= count;
    return [batch, count];
  }

  private send(batch: Pending[], records: number): void {
    this.sent.records += records;
    void this.produce(batch).finally(() => {
      this.inFlight = false;
      this.pump();
    });
  }

  /**
   * The batch's records grouped by topic, in requests of at most maxRequestBytes (at least one record each). take()
   * only lets a batch over the limit through when it is a single publish; only then are records sized again.
   */
  private requests(batch: Pending[]): TopicMessages[][] {
    const split = batch.reduce((sum, p) => sum + p.bytes, 0) > this.maxRequestBytes;
    const requests: TopicMessages[][] = [];
    let byTopic = new Map<string, Message[]>();
    let bytes = 0;
    const flush = () => {
      if (byTopic.size > 0) requests.push([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      byTopic = new Map();
      bytes = 0;
    };
    for (const p of batch) {
      for (const m of p.messages) {
        const size = split ? sizeOf(m) : 0;
        if (bytes > 0 && bytes + size > this.maxRequestBytes) flush();
        const list = byTopic.get(m.topic) ?? [];
        list.push({ key: m.key, value: m.value, headers: m.headers });
        byTopic.set(m.topic, list);
        bytes += size;
      }
    }
    flush();
    return requests;
  }

  private async produce(batch: Pending[]): Promise<void> {
    try {
      await this.connect();
      // Normally one request; a single publish over maxRequestBytes is split, in order.
      for (const request of this.requests(batch)) {
        this.sent.requests++;
        await this.producer.sendBatch({ acks: -1, compression: CompressionTypes.None, topicMessages: request });
      }
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(new BrokerUnavailableError(err));
    }
  }
}

/** A record's bytes as they count against Kafka's size limits (key, value, header names and values). */
function sizeOf(m: OutgoingMessage): number {
  let size = Buffer.byteLength(m.key) + (typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length);
  for (const name in m.headers) size += name.length + Buffer.byteLength(m.headers[name]);
  return size;
}
