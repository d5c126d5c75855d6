import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EVENT_HEADERS, parseCommand, topics, XeroSyncCommand } from '@xero-sync/contracts';
import { IncomingMessage, KafkaConsumers } from '@xero-sync/messaging';
import { runWithCorrelation, sanitizeCorrelationId } from '@xero-sync/observability';
import { RequestFlushUseCase } from '../commands/request-flush.usecase';
import { SyncRecordUseCase } from '../commands/sync-record.usecase';
import { ReplayStoreUseCase } from '../replay/replay-store.usecase';
import { keepingMembership } from './entity-change.consumer';
import { assertNever } from '../sync/sync-policy';

/**
 * Commands from admin-api (`xero-sync.commands.v1`), one syncer of the group per command: per-record Sync Now,
 * queue Sync Now, Retry failed, replay. Backfill and DLQ requeue commands belong to ingest and are skipped. An invalid
 * command is logged and skipped (admin-api validated it already; nothing to redo).
 */
@Injectable()
export class CommandConsumer implements OnModuleInit {
  private readonly logger = new Logger(CommandConsumer.name);

  constructor(
    private readonly consumers: KafkaConsumers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly syncRecord: SyncRecordUseCase,
    private readonly requestFlush: RequestFlushUseCase,
    private readonly replayStore: ReplayStoreUseCase,
  ) {}

  onModuleInit(): void {
    this.consumers.register(
      {
        groupId: `${this.config.KAFKA_GROUP_PREFIX}-syncer-commands`,
        topics: [topics.commands(this.config.KAFKA_TOPIC_PREFIX)],
        fromBeginning: true,
        sessionTimeoutMs: this.config.SYNCER_SESSION_TIMEOUT_MS,
      },
      (message, ctx) => keepingMembership(ctx, () => this.handle(message)),
    );
  }

  private handle(message: IncomingMessage): Promise<void> {
    const correlationId = sanitizeCorrelationId(message.headers[EVENT_HEADERS.correlationId]);
    return runWithCorrelation(correlationId, async () => {
      let json: unknown;
      try {
        json = JSON.parse(message.value?.toString('utf8') ?? '');
      } catch {
        this.logger.warn(`skipping command at ${message.topic}[${message.partition}]@${message.offset}: not JSON`);
        return;
      }
      const parsed = parseCommand(json);
      if (!parsed.ok) {
        this.logger.warn(`skipping invalid command: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
        return;
      }
      await this.execute(parsed.value, correlationId);
    });
  }

  private async execute(command: XeroSyncCommand, correlationId?: string): Promise<void> {
    switch (command.type) {
      case 'sync.record':
        await this.syncRecord.execute(command.storeId, command.entity, command.entityId, correlationId, command.event);
        return;
      case 'queue.flush':
        await this.requestFlush.execute(command.storeId, { retryFailed: false });
        return;
      case 'queue.retry-failed':
        await this.requestFlush.execute(command.storeId, { retryFailed: true });
        return;
      case 'replay.start':
        await this.replayStore.execute(command);
        return;
      // Ingest runs backfills, and republishes dead letters: only its principal may write the entity topics.
      case 'backfill.start':
      case 'backfill.cancel':
      case 'dlq.requeue':
        return;
      default:
        assertNever(command);
    }
  }
}
