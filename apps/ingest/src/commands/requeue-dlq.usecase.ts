import { Injectable } from '@nestjs/common';
import { DLQ_HEADERS, EventPublisher } from '@xero-sync/messaging';
import { DlqMessageRepository } from '@xero-sync/persistence';

/**
 * "Requeue": republishes stored dead letters byte-exact to their original topic, with their original headers (so
 * the store signature they carried, or lacked, is checked again), after the producer or the contract was fixed,
 * and marks them requeued. Only the store's own messages are touched. Ingest does it because only its Kafka
 * principal may write the entity topics (docs/security.md).
 */
@Injectable()
export class RequeueDlqUseCase {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly dlq: DlqMessageRepository,
  ) {}

  async execute(storeId: string, dlqIds: string[]): Promise<{ requeued: string[]; notFound: string[] }> {
    const found = (await this.dlq.findByIds(dlqIds)).filter((m) => m.storeId === storeId);
    await this.publisher.publish(
      found.map((m) => ({
        topic: m.sourceTopic,
        key: m.key ?? storeId,
        value: Buffer.from(m.valueBase64, 'base64'),
        headers: {
          ...Object.fromEntries(m.headers.filter((h) => !h.key.startsWith('x-dlq-')).map((h) => [h.key, h.value])),
          [DLQ_HEADERS.requeuedFrom]: m.id,
        },
      })),
    );
    await this.dlq.markRequeued(found.map((m) => m.id));
    const requeued = new Set(found.map((m) => m.id));
    return { requeued: [...requeued], notFound: dlqIds.filter((id) => !requeued.has(id)) };
  }
}
