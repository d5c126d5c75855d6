import { Injectable } from '@nestjs/common';
import { EntityName } from '@xero-sync/contracts';
import { PendingChangeRepository } from '@xero-sync/persistence';
import { DeliveryResult } from '../delivery/xero-delivery.port';

/**
 * Store-side ordering that Kafka cannot give: each entity has its own topic, so a credit memo can arrive before
 * the store invoice (payment) it refunds. Posting it first would let the credit note take the amount the
 * payment needs ("payment exceeds the amount due"), so a credit memo waits until the store invoice it names is
 * synced. (Contacts, items and the order itself are checked by Xero delivery.)
 */
@Injectable()
export class StoreDependencyQueries {
  constructor(private readonly queue: PendingChangeRepository) {}

  /**
   * A 'waiting' result when `item` must wait for a store record not yet synced (and not being delivered in the
   * same batch, `batch` holding "entity:id" keys), else undefined.
   */
  async unmet(
    storeId: string,
    item: { entity: EntityName; entityId: string; payload: unknown },
    batch: Set<string> = new Set(),
  ): Promise<DeliveryResult | undefined> {
    if (item.entity !== 'creditmemo') return undefined;
    const invoiceId = (item.payload as { invoice_id?: number | null }).invoice_id;
    if (!invoiceId || batch.has(`invoice:${invoiceId}`)) return undefined;
    const invoice = await this.queue.findByKey(storeId, 'invoice', String(invoiceId));
    if (invoice?.status === 'synced') return undefined;
    return {
      entity: item.entity,
      entityId: item.entityId,
      status: 'waiting',
      message: `waiting for store invoice ${invoiceId} (its payment) to be in Xero first`,
      error: { code: 'DEPENDENCY_FAILED', retryable: true },
      calls: 0,
      durationMs: 0,
    };
  }
}
