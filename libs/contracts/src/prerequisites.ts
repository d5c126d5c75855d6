import { creditMemoPrerequisite, MagentoCreditMemo } from './entities/creditmemo.contract';
import type { EntityPayloads } from './entity-change.contract';
import { ENTITIES, EntityName } from './topics';

/**
 * What must go first, by entity type: the entity types whose records a record of each type can need in Xero
 * before it (an order's invoice needs its contact and items; a store invoice is a payment on its order's invoice;
 * a credit memo is allocated to that invoice, after the payments that order received).
 */
export const ENTITY_PREREQUISITES: Readonly<Record<EntityName, readonly EntityName[]>> = {
  customer: [],
  product: [],
  order: ['customer', 'product'],
  invoice: ['order'],
  creditmemo: ['order', 'invoice'],
};

function rankOf(entity: EntityName): number {
  return Math.max(-1, ...ENTITY_PREREQUISITES[entity].map(rankOf)) + 1;
}

/**
 * Dependency rank per entity type, the longest chain of ENTITY_PREREQUISITES below it (contacts and items 0,
 * orders 1, store invoices 2, credit memos 3): a queue flush takes lower ranks first.
 */
export const ENTITY_RANK: Readonly<Record<EntityName, number>> = Object.fromEntries(
  ENTITIES.map((e) => [e, rankOf(e)]),
) as Record<EntityName, number>;

/** A store record another record must wait for until it is in Xero (see prerequisitesOf). */
export interface StorePrerequisite {
  entity: EntityName;
  entityId: string;
  /** For "waiting for … to be in Xero first". */
  label: string;
  /**
   * Wait for it even while it has never arrived: a store invoice a credit memo names will come; an order the
   * syncer never held may have reached Xero before (Xero delivery checks that it is there).
   */
  awaitArrival: boolean;
}

/**
 * The store records that `payload` must follow into Xero and that only the store side can tell about: a credit
 * memo's store invoice (its payment) or, naming none, its order's latest change (what the store was paid). The
 * rest of ENTITY_PREREQUISITES (contacts, items, an order's invoice) Xero delivery checks against what Xero
 * holds. Empty when nothing has to go first.
 */
export function prerequisitesOf<E extends EntityName>(entity: E, payload: EntityPayloads[E]): StorePrerequisite[] {
  if (entity !== 'creditmemo') return [];
  const first = creditMemoPrerequisite(payload as MagentoCreditMemo);
  return [{ ...first, awaitArrival: first.entity === 'invoice' }];
}
