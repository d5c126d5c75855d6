import { z } from 'zod';
import { address, currencyCode, magentoDate, money, optionalMoney, quantity, salesExtensionAttributes } from './common';

/** One line of `GET /V1/orders/{id}` `items[]` (salesOrderItemInterface). */
export const orderItemSchema = z
  .object({
    item_id: z.number().int().positive(),
    parent_item_id: z.number().int().nullish(),
    product_id: z.number().int().nullish(),
    product_type: z.string().default('simple'),
    sku: z.string().min(1),
    name: z.string().min(1),
    qty_ordered: quantity,
    qty_invoiced: quantity.nullish(),
    qty_refunded: quantity.nullish(),
    qty_canceled: quantity.nullish(),
    price: money,
    price_incl_tax: optionalMoney,
    base_price: optionalMoney,
    tax_percent: z.number().finite().nonnegative().nullish(),
    tax_amount: optionalMoney,
    discount_amount: optionalMoney,
    discount_percent: optionalMoney,
    row_total: money,
    row_total_incl_tax: optionalMoney,
    original_price: optionalMoney,
    /** Tax a discount took off an inclusive price ("hidden tax"); part of the grand total identity. */
    discount_tax_compensation_amount: optionalMoney,
  })
  .loose();

export const ORDER_STATES = [
  'new',
  'pending_payment',
  'payment_review',
  'processing',
  'complete',
  'closed',
  'canceled',
  'holded',
] as const;

/** `GET /V1/orders/{id}` (salesOrderRepositoryV1). Amounts are in the order currency unless prefixed base_. */
export const orderSchema = z
  .object({
    entity_id: z.number().int().positive(),
    increment_id: z.string().min(1).max(50),
    state: z.enum(ORDER_STATES),
    status: z.string().nullish(),
    created_at: magentoDate,
    updated_at: magentoDate.nullish(),
    customer_id: z.number().int().positive().nullish(),
    customer_is_guest: z.union([z.boolean(), z.number().int()]).nullish(),
    customer_email: z.email(),
    customer_firstname: z.string().nullish(),
    customer_lastname: z.string().nullish(),
    order_currency_code: currencyCode,
    base_currency_code: currencyCode.nullish(),
    base_to_order_rate: z.number().positive().nullish(),
    subtotal: money,
    subtotal_incl_tax: optionalMoney,
    tax_amount: money.default(0),
    shipping_amount: money.default(0),
    shipping_tax_amount: money.default(0),
    shipping_incl_tax: optionalMoney,
    shipping_description: z.string().nullish(),
    discount_amount: money.default(0),
    discount_description: z.string().nullish(),
    shipping_discount_amount: optionalMoney,
    discount_tax_compensation_amount: optionalMoney,
    shipping_discount_tax_compensation_amount: optionalMoney,
    grand_total: money,
    total_paid: optionalMoney,
    total_refunded: optionalMoney,
    items: z.array(orderItemSchema).min(1),
    billing_address: address.nullish(),
    payment: z
      .object({ method: z.string().min(1) })
      .loose()
      .nullish(),
    extension_attributes: salesExtensionAttributes.nullish(),
  })
  .loose();
export type MagentoOrder = z.output<typeof orderSchema>;
export type MagentoOrderItem = z.output<typeof orderItemSchema>;

/** True when the order was placed without a customer account. */
export function isGuestOrder(order: MagentoOrder): boolean {
  return Boolean(order.customer_is_guest) || !order.customer_id;
}
