import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EVENT_HEADERS, parseCommand, topics, XeroSyncCommand } from '@xero-sync/contracts';
import { BrokerUnavailableError, ensureTopics, EventPublisher, KAFKA, Kafka } from '@xero-sync/messaging';
import { currentCorrelationId } from '@xero-sync/observability';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A command as a route builds it: id, time and sender are filled in here. */
export type CommandRequest = DistributiveOmit<XeroSyncCommand, 'commandId' | 'requestedAt' | 'requestedBy'>;

/**
 * Admin-api never writes to Xero or to the syncer's queue itself: it asks, by publishing a command on
 * `xero-sync.commands.v1` keyed by store id (so a store's commands stay ordered with its other work), and
 * answers 202 once Kafka has acknowledged it. Throws BrokerUnavailableError (→ 503) when Kafka is away.
 */
@Injectable()
export class PublishCommandUseCase implements OnModuleInit {
  private readonly logger = new Logger(PublishCommandUseCase.name);
  private readonly topic: string;
  private topicReady: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly publisher: EventPublisher,
  ) {
    this.topic = topics.commands(config.KAFKA_TOPIC_PREFIX);
  }

  /**
   * The commands topic may not exist yet on a fresh broker; creating it is idempotent. Kafka being away at
   * start-up must not stop admin-api (reads still work, /health says what is down): it is retried on the
   * first command instead.
   */
  async onModuleInit(): Promise<void> {
    await this.ensureTopic().catch((err: unknown) =>
      this.logger.warn(
        `commands topic not ensured yet (${err instanceof Error ? err.message : String(err)}); retrying on first command`,
      ),
    );
  }

  private async ensureTopic(): Promise<void> {
    this.topicReady ??= ensureTopics(this.kafka, [
      { topic: this.topic, numPartitions: this.config.KAFKA_TOPIC_PARTITIONS },
    ]).catch((err: unknown) => {
      this.topicReady = undefined;
      throw err;
    });
    return this.topicReady;
  }

  async execute(request: CommandRequest, actor: string): Promise<XeroSyncCommand> {
    await this.ensureTopic().catch((err: unknown) => {
      throw new BrokerUnavailableError(err);
    });
    const parsed = parseCommand({
      ...request,
      commandId: randomUUID(),
      requestedAt: new Date().toISOString(),
      requestedBy: actor.slice(0, 128),
    });
    if (!parsed.ok) throw new Error(`admin-api built an invalid command: ${JSON.stringify(parsed.errors)}`);
    const command = parsed.value;
    const correlationId = currentCorrelationId();
    await this.publisher.publish([
      {
        topic: this.topic,
        key: command.storeId,
        value: JSON.stringify(command),
        headers: correlationId ? { [EVENT_HEADERS.correlationId]: correlationId } : undefined,
      },
    ]);
    return command;
  }
}
