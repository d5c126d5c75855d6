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
    return (await this.unmetAll(storeId, [item], batch))[0];
  }

  /** `unmet` for each of several items, in order, with one queue read for all their prerequisites. */
  async unmetAll(
    storeId: string,
    items: { entity: EntityName; entityId: string; payload: unknown }[],
    batch: Set<string> = new Set(),
  ): Promise<(DeliveryResult | undefined)[]> {
    const firsts = items.map((item) =>
      prerequisitesOf(item.entity, item.payload as EntityPayloads[EntityName]).filter(
        (first) => !batch.has(`${first.entity}:${first.entityId}`),
      ),
    );
    const wanted = firsts.flat();
    const held = new Map(
      (wanted.length ? await this.queue.findByKeys(storeId, wanted) : []).map((r) => [`${r.entity}:${r.entityId}`, r]),
    );
    return items.map((item, i) => {
      // One the queue never held may already be in Xero (delivery checks that) unless it is one still to come.
      const first = firsts[i].find((f) => {
        const record = held.get(`${f.entity}:${f.entityId}`);
        return !(record?.status === 'synced' || (!record && !f.awaitArrival));
      });
      if (!first) return undefined;
      return {
        entity: item.entity,
        entityId: item.entityId,
        status: 'waiting',
        message: `waiting for ${first.label} to be in Xero first`,
        error: { code: 'DEPENDENCY_FAILED', retryable: true },
        calls: 0,
        durationMs: 0,
      };
    });
  }
}
