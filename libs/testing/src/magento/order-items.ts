import type { DocumentItemPayload, OrderItemPayload, OrderPayload } from './payload.types';
import { withBase } from './base-amounts';

/**
 * A dynamic-price bundle's parent: its children carry the money. Such a bundle is priced from its selections, so
 * the parent's own catalog price (original_price) is 0, while a fixed-price bundle and a configurable carry theirs.
 */
export function childrenCalculated(parent: OrderItemPayload): boolean {
  return parent.product_type === 'bundle' && parent.original_price === 0;
}

/**
 * Order Item::isDummy (not for shipment): a line whose money sits elsewhere. A parent is a dummy when its children
 * are calculated; a child is a dummy when they are not (configurable and fixed-price bundle children).
 */
export function isDummy(order: OrderPayload, item: OrderItemPayload): boolean {
  if (item.parent_item_id) {
    const parent = order.items.find((i) => i.item_id === item.parent_item_id)!;
    return !childrenCalculated(parent);
  }
  return order.items.some((c) => c.parent_item_id === item.item_id) && childrenCalculated(item);
}

/**
 * Quantities per order line for a document given quantities of the top-level lines: children follow their parent
 * in proportion (a bundle's selection qty per bundle), as Magento's invoice and credit-memo forms do.
 */
export function documentQtys(order: OrderPayload, topLevel: ReadonlyMap<number, number>): Map<number, number> {
  const qtys = new Map<number, number>();
  for (const item of order.items) {
    if (item.parent_item_id) {
      const parent = order.items.find((i) => i.item_id === item.parent_item_id)!;
      const parentQty = topLevel.get(parent.item_id) ?? 0;
      if (parentQty > 0) qtys.set(item.item_id, (item.qty_ordered / parent.qty_ordered) * parentQty);
    } else {
      const qty = topLevel.get(item.item_id) ?? 0;
      if (qty > 0) qtys.set(item.item_id, qty);
    }
  }
  return qtys;
}

/** A document line with no money on it (a dummy), or the start of one the totals fill in. */
export function documentLine(entityId: number, item: OrderItemPayload, qty: number): DocumentItemPayload {
  return {
    entity_id: entityId,
    order_item_id: item.item_id,
    sku: item.sku,
    name: item.name,
    qty,
    price: item.price,
    price_incl_tax: item.price_incl_tax,
    row_total: 0,
    row_total_incl_tax: 0,
    tax_amount: 0,
    discount_amount: 0,
    discount_tax_compensation_amount: 0,
  };
}

/** Adds the base_ amounts to finished lines. */
export const finishLines = (lines: DocumentItemPayload[]): DocumentItemPayload[] => lines.map((l) => withBase(l));

/** Two quantities equal the way Magento compares them ((string)(float)). */
export const sameQty = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;
