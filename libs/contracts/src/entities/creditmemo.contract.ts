import { z } from 'zod';
import { currencyCode, magentoDate, money, optionalMoney } from './common';
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
    adjustment_positive: money.default(0),
    adjustment_negative: money.default(0),
    grand_total: money.nonnegative(),
    payment_method: z.string().nullish(),
    items: z.array(documentItemSchema).default([]),
  })
  .loose();
export type MagentoCreditMemo = z.output<typeof creditMemoSchema>;
