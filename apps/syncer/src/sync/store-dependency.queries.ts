import { Injectable } from '@nestjs/common';
import { EntityName } from '@xero-sync/contracts';
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
    const memo = item.payload as { invoice_id?: number | null; order_id: number; order_increment_id?: string };
    const [entity, id, what] = memo.invoice_id
      ? (['invoice', String(memo.invoice_id), `store invoice ${memo.invoice_id} (its payment)`] as const)
      : ([
          'order',
          String(memo.order_id),
          `order ${memo.order_increment_id ?? memo.order_id}'s latest change`,
        ] as const);
    if (batch.has(`${entity}:${id}`)) return undefined;
    const record = await this.queue.findByKey(storeId, entity, id);
    // An order the queue never held (synced before it, or its entity type not synced) has nothing to wait for;
    // a store invoice is waited for until it arrives.
    if (record?.status === 'synced' || (entity === 'order' && !record)) return undefined;
    return {
      entity: item.entity,
      entityId: item.entityId,
      status: 'waiting',
      message: `waiting for ${what} to be in Xero first`,
      error: { code: 'DEPENDENCY_FAILED', retryable: true },
      calls: 0,
      durationMs: 0,
    };
  }
}
