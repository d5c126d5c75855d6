import { CompressionTypes, IHeaders, Kafka, Partitioners, Producer } from 'kafkajs';
import { BrokerUnavailableError } from './messaging.errors';

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
}

interface Pending {
  messages: OutgoingMessage[];
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
  private queue: Pending[] = [];
  private inFlight = false;
  private connected: Promise<void> | undefined;

  constructor(kafka: Kafka, options: EventPublisherOptions = {}) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
    this.maxBatch = options.maxBatch ?? 2000;
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
    const until = Date.now() + patienceMs;
    for (let attempt = 0; ; attempt++) {
      this.connected ??= this.producer.connect().catch((err: unknown) => {
        this.connected = undefined;
        throw err;
      });
      try {
        return await this.connected;
      } catch (err) {
        if ((err as { retriable?: boolean }).retriable !== true || Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      }
    }
  }

  /** Publishes all messages; resolves once Kafka acknowledged all of them (acks=all). */
  publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const acked = new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
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
    this.inFlight = true;
    const batch: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0 && (count === 0 || count + this.queue[0].messages.length <= this.maxBatch)) {
      const next = this.queue.shift()!;
      batch.push(next);
      count += next.messages.length;
    }
    void this.send(batch).finally(() => {
      this.inFlight = false;
      this.pump();
    });
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      await this.connect();
      const byTopic = new Map<string, { key: string; value: string | Buffer; headers?: IHeaders }[]>();
      for (const p of batch) {
        for (const m of p.messages) {
          const list = byTopic.get(m.topic) ?? [];
          list.push({ key: m.key, value: m.value, headers: m.headers });
          byTopic.set(m.topic, list);
        }
      }
      await this.producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(new BrokerUnavailableError(err));
    }
  }
}
