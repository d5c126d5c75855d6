import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { entityOfTopic, FieldError, topics } from '@xero-sync/contracts';
import { DLQ_HEADERS, EventPublisher, IncomingMessage } from '@xero-sync/messaging';
import { eventsOut } from '@xero-sync/observability';
import { DlqMessageRepository, SyncLogRepository } from '@xero-sync/persistence';

const PREVIEW_CHARS = 2000;

/**
 * Diverts a message the syncer cannot accept: publishes it unchanged (with the reason in headers) to the DLQ
 * topic, stores it byte-exact in dlq_messages for requeueing, and writes a sync log error row. A redelivered
 * poison message (same source position) is recognised and not dead-lettered twice. Resolving lets the consumer
 * commit past it.
 */
@Injectable()
export class DeadLetterMessageUseCase {
  private readonly logger = new Logger(DeadLetterMessageUseCase.name);

  constructor(
    private readonly publisher: EventPublisher,
    private readonly dlq: DlqMessageRepository,
    private readonly syncLog: SyncLogRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(message: IncomingMessage, errors: FieldError[], correlationId?: string): Promise<void> {
    if (await this.dlq.findByPosition(message.topic, message.partition, message.offset)) return;
    const reason =
      errors
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ')
        .slice(0, 2000) || 'rejected';
    const value = message.value ?? Buffer.alloc(0);
    await this.publisher.publish([
      {
        topic: topics.deadLetters(this.config.KAFKA_TOPIC_PREFIX),
        key: message.key ?? '',
        value,
        headers: {
          ...message.headers,
          [DLQ_HEADERS.reason]: reason,
          [DLQ_HEADERS.sourceTopic]: message.topic,
          [DLQ_HEADERS.sourcePartition]: String(message.partition),
          [DLQ_HEADERS.sourceOffset]: message.offset,
        },
      },
    ]);
    const storeId = message.key && /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/.test(message.key) ? message.key : undefined;
    const record = await this.dlq.recordOnce({
      sourceTopic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key ?? undefined,
      storeId,
      valueBase64: value.toString('base64'),
      // Printable excerpt only: FerretDB refuses NUL characters in strings.
      preview: printable(value.toString('utf8', 0, PREVIEW_CHARS)),
      headers: Object.entries(message.headers).map(([key, v]) => ({ key, value: v })),
      reason,
      fieldErrors: errors,
    });
    const entity = entityOfTopic(message.topic, this.config.KAFKA_TOPIC_PREFIX) ?? 'unknown';
    await this.syncLog.append([
      {
        storeId: storeId ?? '(unknown)',
        entity,
        entityId: entityIdHint(value) ?? '(unknown)',
        action: 'reject',
        status: 'error',
        message: `Rejected message (DLQ ${record.id}): ${reason}`,
        errorCode: 'INVALID_MESSAGE',
        durationMs: 0,
        calls: 0,
        mode: 'intake',
        correlationId,
        eventId: eventIdHint(value),
        attempt: 1,
        syncerId: this.config.SYNCER_INSTANCE_ID,
      },
    ]);
    eventsOut.inc({ app: 'syncer', entity, outcome: 'dlq' });
    this.logger.warn(`dead-lettered ${message.topic}[${message.partition}]@${message.offset}: ${reason}`);
  }
}

/** Replaces control characters except tab/newline/CR (FerretDB refuses NUL; the rest is unreadable anyway). */
function printable(text: string): string {
  return Array.from(text, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 32 && code !== 9 && code !== 10 && code !== 13 ? '\uFFFD' : ch;
  }).join('');
}

function parsed(value: Buffer): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(value.toString('utf8'));
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function entityIdHint(value: Buffer): string | undefined {
  const id = parsed(value)?.entityId;
  return typeof id === 'string' || typeof id === 'number' ? String(id).slice(0, 128) : undefined;
}

function eventIdHint(value: Buffer): string | undefined {
  const id = parsed(value)?.eventId;
  return typeof id === 'string' ? id.slice(0, 64) : undefined;
}
