import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { topics } from '@xero-sync/contracts';
import { KAFKA, MESSAGING_OPTIONS } from './messaging.tokens';
import type { MessagingOptions } from './messaging.options';
import { ensureTopics } from './topic-admin';

/** Every topic of the system under a prefix: the entity topics, the dead-letter topic and the commands topic. */
export function systemTopicNames(prefix: string): string[] {
  return [...topics.allEntityChanged(prefix), topics.deadLetters(prefix), topics.commands(prefix)];
}

/**
 * Creates the system's topics (KAFKA_TOPIC_PREFIX, KAFKA_TOPIC_PARTITIONS partitions each) when the app starts.
 * Every app creates all of them, so whichever starts first finds or makes the whole set and the start order of
 * the apps does not matter; creating is idempotent and safe when several instances start at once. Existing
 * topics are left as they are. MessagingModule is global, so Nest runs this before the apps' own init hooks.
 */
@Injectable()
export class SystemTopics implements OnModuleInit {
  private readonly logger = new Logger(SystemTopics.name);
  private ready: Promise<void> | undefined;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.topicsAtStart !== 'best-effort') {
      await this.ensure();
      return;
    }
    await this.ensure().catch((err: unknown) =>
      this.logger.warn(
        `topics not ensured yet (${err instanceof Error ? err.message : String(err)}); retrying on first use`,
      ),
    );
  }

  /** Resolves once every topic exists; after a failure the next call tries again. */
  ensure(): Promise<void> {
    const partitions = this.config.KAFKA_TOPIC_PARTITIONS;
    this.ready ??= ensureTopics(
      this.kafka,
      systemTopicNames(this.config.KAFKA_TOPIC_PREFIX).map((topic) => ({ topic, numPartitions: partitions })),
    ).catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }
}
