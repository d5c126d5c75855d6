import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { ConsumerHost, ConsumerHostOptions, MessageHandler } from './consumer-host';
import { KAFKA } from './messaging.tokens';
import { SystemTopics } from './system-topics';

/**
 * The app's Kafka consumers. A feature registers each consumer (group, topics, handler) during module init;
 * when the app has started, every registered consumer gets its own ConsumerHost, started in registration order
 * once the topics exist. MessagingModule is global, so Nest starts them before the apps' own bootstrap hooks
 * (a flush scheduler finds the groups joined). They are stopped (offsets of finished messages committed, group
 * left) at module destroy, which Nest runs before every `beforeApplicationShutdown`: a feature's own shutdown
 * steps (a flusher handing back its claims) run once no message is being handled any more.
 */
@Injectable()
export class KafkaConsumers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KafkaConsumers.name);
  private readonly registered: { options: ConsumerHostOptions; handler: MessageHandler }[] = [];
  private readonly hosts: ConsumerHost[] = [];
  private started = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly topics: SystemTopics,
  ) {}

  /** Adds a consumer; call it from `onModuleInit` (the consumers start at application bootstrap). */
  register(options: ConsumerHostOptions, handler: MessageHandler): void {
    if (this.started) throw new Error(`consumer ${options.groupId} registered after the consumers started`);
    this.registered.push({ options, handler });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.started = true;
    if (this.registered.length === 0) return;
    await this.topics.ensure();
    for (const { options, handler } of this.registered) {
      const host = new ConsumerHost(this.kafka, options, handler);
      this.hosts.push(host);
      await host.start();
      this.logger.log(`consuming ${options.topics.length} topic(s) as ${options.groupId}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    // Each host leaves its group after its in-flight messages finish; their offsets are committed, nothing else.
    for (const host of [...this.hosts].reverse()) await host.stop();
  }
}
