/** Money fields Magento repeats in the base currency as `base_<field>`. */
const MONEY_FIELDS = new Set([
  'original_price',
  'price',
  'price_incl_tax',
  'row_total',
  'row_total_incl_tax',
  'tax_amount',
  'discount_amount',
  'discount_tax_compensation_amount',
  'tax_invoiced',
  'discount_invoiced',
  'row_invoiced',
  'discount_tax_compensation_invoiced',
  'amount_refunded',
  'tax_refunded',
  'discount_refunded',
  'discount_tax_compensation_refunded',
  'subtotal',
  'subtotal_incl_tax',
  'shipping_amount',
  'shipping_tax_amount',
  'shipping_incl_tax',
  'shipping_discount_amount',
  'shipping_discount_tax_compensation_amount',
  'grand_total',
  'subtotal_invoiced',
  'shipping_invoiced',
  'shipping_tax_invoiced',
  'total_invoiced',
  'total_paid',
  'subtotal_refunded',
  'shipping_refunded',
  'shipping_tax_refunded',
  'adjustment_positive',
  'adjustment_negative',
  'total_refunded',
]);

/**
 * Adds `base_<field>` next to every money field. The engine prices orders in the store's base currency, so the
 * base amounts equal the order amounts (base_to_order_rate 1).
 */
export function withBase<T extends object>(payload: T): T {
  const out: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  for (const [key, value] of Object.entries(payload)) {
    if (MONEY_FIELDS.has(key) && typeof value === 'number') out[`base_${key}`] = value;
  }
  return out as T;
}
