import { Injectable } from '@nestjs/common';
import { creditMemoPrerequisite, EntityName, MagentoCreditMemo } from '@xero-sync/contracts';
import { PendingChangeRepository } from '@xero-sync/persistence';
import { DeliveryResult } from '../delivery/xero-delivery.port';

/**
 * Store-side ordering that Kafka cannot give: each entity has its own topic, so a credit memo can arrive before
 * the store invoice (payment) it refunds, or before the order change that says the order was paid. Posting it
 * first would let the credit note take the amount the payment needs ("payment exceeds the amount due"), so a
 * credit memo waits until the store invoice it names is synced or, naming none, until its order's latest change
 * is (Xero delivery then holds it until the payment that order reports is in Xero). Contacts, items and the order
 * itself are checked by Xero delivery.
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
    const { entity, entityId, label } = creditMemoPrerequisite(item.payload as MagentoCreditMemo);
    if (batch.has(`${entity}:${entityId}`)) return undefined;
    const record = await this.queue.findByKey(storeId, entity, entityId);
    // An order the queue never held (synced before it, or its entity type not synced) has nothing to wait for;
    // a store invoice is waited for until it arrives.
    if (record?.status === 'synced' || (entity === 'order' && !record)) return undefined;
    return {
      entity: item.entity,
      entityId: item.entityId,
      status: 'waiting',
      message: `waiting for ${label} to be in Xero first`,
      error: { code: 'DEPENDENCY_FAILED', retryable: true },
      calls: 0,
      durationMs: 0,
    };
  }
}
