import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EVENT_HEADERS, parseCommand, topics, XeroSyncCommand } from '@xero-sync/contracts';
import { BrokerUnavailableError, EventPublisher, SystemTopics } from '@xero-sync/messaging';
import { currentCorrelationId } from '@xero-sync/observability';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A command as a route builds it: id, time and sender are filled in here. */
export type CommandRequest = DistributiveOmit<XeroSyncCommand, 'commandId' | 'requestedAt' | 'requestedBy'>;

/**
 * Admin-api never writes to Xero or to the syncer's queue itself: it asks, by publishing a command on
 * `xero-sync.commands.v1` keyed by store id (so a store's commands stay ordered with its other work), and
 * answers 202 once Kafka has acknowledged it. Throws BrokerUnavailableError (→ 503) when Kafka is away.
 * The topic may not exist yet when Kafka was away as admin-api started: libs/messaging then creates the
 * system's topics on this first use.
 */
@Injectable()
export class PublishCommandUseCase {
  private readonly topic: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly systemTopics: SystemTopics,
    private readonly publisher: EventPublisher,
  ) {
    this.topic = topics.commands(config.KAFKA_TOPIC_PREFIX);
  }

  async execute(request: CommandRequest, actor: string): Promise<XeroSyncCommand> {
    await this.systemTopics.ensure().catch((err: unknown) => {
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
