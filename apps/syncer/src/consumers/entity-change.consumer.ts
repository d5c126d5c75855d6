import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { decodeEntityChangeEvent, entityOfTopic, EVENT_HEADERS, topics } from '@xero-sync/contracts';
import { ConsumerHost, ensureTopics, IncomingMessage, KAFKA, Kafka } from '@xero-sync/messaging';
import { eventsIn, runWithCorrelation, sanitizeCorrelationId } from '@xero-sync/observability';
import { DeadLetterMessageUseCase } from '../dlq/dead-letter-message.usecase';
import { HandleEntityChangeUseCase } from '../sync/handle-entity-change.usecase';

/** The consumer group id shared by every syncer instance for entity events. */
export const syncerGroupId = (config: AppConfig) => `${config.KAFKA_GROUP_PREFIX}-syncer`;

/**
 * Consumes every entity topic in the syncer group (partitions keyed by store id spread the stores over the
 * syncers). Each message is validated again with the contract; invalid ones are dead-lettered and the
 * consumer goes on. The handler resolves only when the event is in Xero and logged or durably queued, so
 * the host commits nothing that was not done; infrastructure errors throw and the same message is retried.
 */
@Injectable()
export class EntityChangeConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EntityChangeConsumer.name);
  private host: ConsumerHost | undefined;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly handleChange: HandleEntityChangeUseCase,
    private readonly deadLetter: DeadLetterMessageUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.config.KAFKA_TOPIC_PREFIX;
    const partitions = this.config.KAFKA_TOPIC_PARTITIONS;
    await ensureTopics(this.kafka, [
      ...topics.allEntityChanged(prefix).map((topic) => ({ topic, numPartitions: partitions })),
      { topic: topics.deadLetters(prefix), numPartitions: partitions },
      { topic: topics.commands(prefix), numPartitions: partitions },
    ]);
    this.host = new ConsumerHost(
      this.kafka,
      {
        groupId: syncerGroupId(this.config),
        topics: topics.allEntityChanged(prefix),
        fromBeginning: true,
        partitionsConcurrently: this.config.SYNCER_PARTITIONS_CONCURRENTLY,
        sessionTimeoutMs: this.config.SYNCER_SESSION_TIMEOUT_MS,
      },
      (message, ctx) => keepingMembership(ctx, () => this.handle(message)),
    );
    await this.host.start();
    this.logger.log(
      `consuming ${topics.allEntityChanged(prefix).length} entity topics as ${syncerGroupId(this.config)}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Leaves the group after the in-flight messages finish; their offsets are committed, nothing else.
    await this.host?.stop();
  }

  private handle(message: IncomingMessage): Promise<void> {
    const correlationId = sanitizeCorrelationId(message.headers[EVENT_HEADERS.correlationId]);
    return runWithCorrelation(correlationId, async () => {
      const topicEntity = entityOfTopic(message.topic, this.config.KAFKA_TOPIC_PREFIX) ?? 'unknown';
      const decoded = decodeEntityChangeEvent(message.value);
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
