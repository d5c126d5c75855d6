import { Injectable } from '@nestjs/common';
import { EntityName, EntityPayloads, prerequisitesOf } from '@xero-sync/contracts';
import { PendingChangeRepository } from '@xero-sync/persistence';
import { DeliveryResult } from '@xero-sync/xero';

/**
 * Store-side ordering that Kafka cannot give: each entity has its own topic, so a credit memo can arrive before
 * the store invoice (payment) it refunds, or before the order change that says the order was paid. Posting it
 * first would let the credit note take the amount the payment needs ("payment exceeds the amount due"), so a
 * record waits until each of its prerequisites (libs/contracts `prerequisitesOf`) is synced in the queue. What
 * Xero itself must hold first (contacts, items, the order's invoice) is checked by Xero delivery.
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
    for (const first of prerequisitesOf(item.entity, item.payload as EntityPayloads[EntityName])) {
      if (batch.has(`${first.entity}:${first.entityId}`)) continue;
      const record = await this.queue.findByKey(storeId, first.entity, first.entityId);
      // One the queue never held may already be in Xero (delivery checks that) unless it is one still to come.
      if (record?.status === 'synced' || (!record && !first.awaitArrival)) continue;
      return {
        entity: item.entity,
        entityId: item.entityId,
        status: 'waiting',
        message: `waiting for ${first.label} to be in Xero first`,
        error: { code: 'DEPENDENCY_FAILED', retryable: true },
        calls: 0,
        durationMs: 0,
      };
    }
    return undefined;
  }
}
