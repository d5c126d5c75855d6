import { z } from 'zod';
import { currencyCode, magentoDate, money, optionalMoney, salesExtensionAttributes } from './common';
import { documentItemSchema } from './invoice.contract';

/** `GET /V1/creditmemo/{id}` (salesCreditmemoRepositoryV1): a refund, full or partial. */
export const creditMemoSchema = z
  .object({
    entity_id: z.number().int().positive(),
    increment_id: z.string().min(1).max(50),
    order_id: z.number().int().positive(),
    order_increment_id: z.string().min(1).max(50).nullish(),
    invoice_id: z.number().int().positive().nullish(),
    state: z.number().int().nullish(),
    created_at: magentoDate,
    order_currency_code: currencyCode.nullish(),
    subtotal: optionalMoney,
    tax_amount: optionalMoney,
    shipping_amount: money.default(0),
    shipping_tax_amount: money.default(0),
    shipping_incl_tax: optionalMoney,
    discount_amount: money.default(0),
    discount_tax_compensation_amount: optionalMoney,
    shipping_discount_tax_compensation_amount: optionalMoney,
    adjustment_positive: money.default(0),
    adjustment_negative: money.default(0),
    grand_total: money.nonnegative(),
    payment_method: z.string().nullish(),
    items: z.array(documentItemSchema).default([]),
    extension_attributes: salesExtensionAttributes.nullish(),
  })
  .loose();
export type MagentoCreditMemo = z.output<typeof creditMemoSchema>;

/**
 * The store record a credit memo must follow into Xero: the store invoice it refunds (its payment) when it names
 * one, else its order (whose latest change says what the store was paid). Posted first, the refund could take the
 * room that payment needs. Used by the syncer (queue state) and Xero delivery (same delivery run).
 */
export function creditMemoPrerequisite(
  memo: Pick<MagentoCreditMemo, 'invoice_id' | 'order_id' | 'order_increment_id'>,
): {
  entity: 'invoice' | 'order';
  entityId: string;
  /** For "waiting for … to be in Xero first". */
  label: string;
} {
  return memo.invoice_id
    ? { entity: 'invoice', entityId: String(memo.invoice_id), label: `store invoice ${memo.invoice_id} (its payment)` }
    : {
        entity: 'order',
        entityId: String(memo.order_id),
        label: `order ${memo.order_increment_id ?? memo.order_id}'s latest change`,
      };
}
