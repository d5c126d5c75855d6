import type { AppliedRateGroup, ItemTaxDetails } from './magento.types';
import { stored, sumMoney } from './money';
import type { AppliedTaxPayload, ItemAppliedTaxesPayload } from './payload.types';

/**
 * One row per rate of a group: a group's amount is shared by its rates in proportion to their percents, kept to
 * the 4 dp Magento stores (Tax Plugin OrderSave writing sales_order_tax and sales_order_tax_item).
 */
function perRate(group: AppliedRateGroup, amount: number): AppliedTaxPayload[] {
  return group.rates
    .filter((r) => r.percent !== 0)
    .map((r) => {
      const share = group.rates.length === 1 ? amount : stored((amount * r.percent) / group.percent);
      return { code: r.code, title: r.title, percent: r.percent, amount: share, base_amount: share };
    });
}

/**
 * `extension_attributes.applied_taxes` of an order: each group's tax summed over every line and shipping
 * (CommonTaxCollector::_saveAppliedTaxes), then shared out per rate.
 */
export function appliedTaxesPayload(lines: readonly ItemTaxDetails[]): AppliedTaxPayload[] {
  const byGroup = new Map<string, { group: AppliedRateGroup; amounts: number[] }>();
  for (const line of lines) {
    for (const { group, amount } of line.appliedTaxes) {
      const entry = byGroup.get(group.id) ?? { group, amounts: [] };
      entry.amounts.push(amount);
      byGroup.set(group.id, entry);
    }
  }
  return [...byGroup.values()].flatMap(({ group, amounts }) => perRate(group, sumMoney(amounts)));
}

/** `extension_attributes.item_applied_taxes`: the rates on each product line and on shipping. */
export function itemAppliedTaxes(
  products: readonly { details: ItemTaxDetails; itemId: number | null }[],
  shipping: readonly { details: ItemTaxDetails }[],
): ItemAppliedTaxesPayload[] {
  const entry = (type: 'product' | 'shipping', itemId: number | null, d: ItemTaxDetails): ItemAppliedTaxesPayload => ({
    type,
    item_id: itemId,
    associated_item_id: null,
    applied_taxes: d.appliedTaxes.flatMap(({ group, amount }) => perRate(group, stored(amount))),
  });
  return [
    ...products.filter((p) => p.details.appliedTaxes.length).map((p) => entry('product', p.itemId, p.details)),
    ...shipping.filter((s) => s.details.appliedTaxes.length).map((s) => entry('shipping', null, s.details)),
  ];
}
