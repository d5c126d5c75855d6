import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import {
  decodeEntityChangeEvent,
  EntityChangeEvent,
  entityOfTopic,
  EVENT_HEADERS,
  ParseResult,
  topics,
} from '@xero-sync/contracts';
import { IncomingMessage, KafkaConsumers } from '@xero-sync/messaging';
import { eventsIn, runWithCorrelation, sanitizeCorrelationId } from '@xero-sync/observability';
import { DeadLetterMessageUseCase } from '../dlq/dead-letter-message.usecase';
import { EventSignatureQueries } from '../stores/event-signature.queries';
import { HandleEntityChangeUseCase } from '../sync/handle-entity-change.usecase';

/**
 * Events of one partition handled at once (events of one record still go one after another). A Cron Job store's
 * events are saved to the queue many at once (BufferEntityChangeUseCase gathers what is in flight into one write,
 * up to INTAKE_BATCH_MAX): with 10 in flight per partition an intake write held about 12 events and the intake's
 * three commands were 0.8 of a drain's 1.28 per order. Immediately-mode events of a store are delivered together by
 * HandleEntityChangeUseCase (up to SYNCER_IMMEDIATE_BATCH_MAX a delivery).
 */
export const EVENTS_IN_FLIGHT_PER_PARTITION = 100;

/** The consumer group id shared by every syncer instance for entity events. */
export const syncerGroupId = (config: AppConfig) => `${config.KAFKA_GROUP_PREFIX}-syncer`;

/**
 * Consumes every entity topic in the syncer group (partitions keyed by store id spread the stores over the
 * syncers). Each message is validated again with the contract; invalid ones, and events of any origin not signed
 * by the store they name, are dead-lettered and the consumer goes on. The handler resolves only when the event is in
 * Xero and logged or durably queued, so the host commits nothing that was not done; infrastructure errors throw and the same message is retried.
 * libs/messaging creates the topics and runs the consumer (KafkaConsumers).
 */
@Injectable()
export class EntityChangeConsumer implements OnModuleInit {
  /** Each message is decoded once, when the host asks for its record key. */
  private readonly decoded = new WeakMap<IncomingMessage, ParseResult<EntityChangeEvent>>();

  constructor(
    private readonly consumers: KafkaConsumers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly handleChange: HandleEntityChangeUseCase,
    private readonly deadLetter: DeadLetterMessageUseCase,
    private readonly signatures: EventSignatureQueries,
  ) {}

  onModuleInit(): void {
    this.consumers.register(
      {
        groupId: syncerGroupId(this.config),
        topics: topics.allEntityChanged(this.config.KAFKA_TOPIC_PREFIX),
        fromBeginning: true,
        partitionsConcurrently: this.config.SYNCER_PARTITIONS_CONCURRENTLY,
        sessionTimeoutMs: this.config.SYNCER_SESSION_TIMEOUT_MS,
        withinPartition: { concurrency: EVENTS_IN_FLIGHT_PER_PARTITION, keyOf: (message) => this.recordKeyOf(message) },
      },
      (message, ctx) => keepingMembership(ctx, () => this.handle(message)),
    );
  }

  /** The record an event changes; undecodable messages share one key (they are dead-lettered in order). */
  private recordKeyOf(message: IncomingMessage): string {
    const decoded = this.decode(message);
    return decoded.ok ? `${decoded.value.storeId}|${decoded.value.entity}|${decoded.value.entityId}` : '';
  }

  private decode(message: IncomingMessage): ParseResult<EntityChangeEvent> {
    const cached = this.decoded.get(message);
    if (cached) return cached;
    const decoded = decodeEntityChangeEvent(message.value);
    this.decoded.set(message, decoded);
    return decoded;
  }

  private handle(message: IncomingMessage): Promise<void> {
    const correlationId = sanitizeCorrelationId(message.headers[EVENT_HEADERS.correlationId]);
    return runWithCorrelation(correlationId, async () => {
      const topicEntity = entityOfTopic(message.topic, this.config.KAFKA_TOPIC_PREFIX) ?? 'unknown';
      const decoded = this.decode(message);
      if (!decoded.ok) {
        eventsIn.inc({ app: 'syncer', entity: topicEntity, origin: 'invalid' });
        await this.deadLetter.execute(message, decoded.errors, correlationId);
        return;
      }
      const event = decoded.value;
      eventsIn.inc({ app: 'syncer', entity: event.entity, origin: event.origin });
      if (event.entity !== topicEntity) {
        await this.deadLetter.execute(
          message,
          [{ path: 'entity', message: `"${event.entity}" event published on ${message.topic}` }],
          correlationId,
        );
        return;
      }
      // Ingest signs what it publishes and direct producers sign theirs: an event claiming any origin without its
      // store's signature came from neither.
      const refusal = await this.signatures.refusalOf(event, message.value!, message.headers);
      if (refusal) {
        await this.deadLetter.execute(message, refusal, correlationId);
        return;
      }
      await this.handleChange.execute(event, correlationId);
    });
  }
}

/**
 * Heartbeats while a message is being handled: kafkajs only heartbeats between messages, and one Immediately
 * delivery may wait on Xero's rate budget longer than the session timeout, which would evict the member and
 * redeliver the message elsewhere (duplicate work, rebalance storms under load).
 */
export async function keepingMembership<T>(ctx: { heartbeat(): Promise<void> }, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => void ctx.heartbeat().catch(() => undefined), 1000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
