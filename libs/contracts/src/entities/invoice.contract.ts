import { z } from 'zod';
import { currencyCode, magentoDate, money, optionalMoney, quantity, salesExtensionAttributes } from './common';

/** A line of a store invoice or credit memo (salesInvoiceItemInterface / salesCreditmemoItemInterface). */
export const documentItemSchema = z
  .object({
    entity_id: z.number().int().positive().nullish(),
    order_item_id: z.number().int().positive(),
    sku: z.string().min(1),
    name: z.string().nullish(),
    qty: quantity,
    price: money,
    price_incl_tax: optionalMoney,
    tax_amount: optionalMoney,
    discount_amount: optionalMoney,
    row_total: money,
    row_total_incl_tax: optionalMoney,
    discount_tax_compensation_amount: optionalMoney,
  })
  .loose();

/**
 * `GET /V1/invoices/{id}` (salesInvoiceRepositoryV1): a captured payment on an order. `payment_method` is not
 * on Magento's invoice itself; producers copy it from the order's payment so the syncer needs no extra read.
 */
export const invoiceSchema = z
  .object({
    entity_id: z.number().int().positive(),
    increment_id: z.string().min(1).max(50),
    order_id: z.number().int().positive(),
    order_increment_id: z.string().min(1).max(50).nullish(),
    state: z.number().int().nullish(),
    created_at: magentoDate,
    order_currency_code: currencyCode.nullish(),
    subtotal: optionalMoney,
    tax_amount: optionalMoney,
    shipping_amount: optionalMoney,
    shipping_tax_amount: optionalMoney,
    shipping_incl_tax: optionalMoney,
    discount_amount: optionalMoney,
    discount_tax_compensation_amount: optionalMoney,
    shipping_discount_tax_compensation_amount: optionalMoney,
    grand_total: money.nonnegative(),
    payment_method: z.string().nullish(),
    items: z.array(documentItemSchema).default([]),
    extension_attributes: salesExtensionAttributes.nullish(),
  })
  .loose();
export type MagentoInvoice = z.output<typeof invoiceSchema>;
export type MagentoDocumentItem = z.output<typeof documentItemSchema>;
