import { z } from 'zod';
import { magentoDate, money } from './common';

/** `GET /V1/products/{sku}` (catalogProductRepositoryV1). */
export const productSchema = z
  .object({
    id: z.number().int().positive(),
    sku: z.string().min(1).max(64),
    name: z.string().min(1),
    price: money.nonnegative(),
    type_id: z.string().default('simple'),
    status: z.number().int().default(1),
    visibility: z.number().int().nullish(),
    weight: z.number().nullish(),
    created_at: magentoDate.nullish(),
    updated_at: magentoDate.nullish(),
    custom_attributes: z.array(z.object({ attribute_code: z.string(), value: z.unknown() }).loose()).default([]),
    extension_attributes: z
      .object({
        stock_item: z.object({ qty: z.number().nullish(), is_in_stock: z.boolean().nullish() }).loose().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();
export type MagentoProduct = z.output<typeof productSchema>;

/** Magento keeps tax_class_id as a custom attribute; returns it as a string or undefined. */
export function productTaxClassId(product: MagentoProduct): string | undefined {
  const attr = product.custom_attributes.find((a) => a.attribute_code === 'tax_class_id');
  const value = attr?.value;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}
