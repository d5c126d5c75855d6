import { z } from 'zod';

/** Magento sends money as JSON numbers; amounts are finite and rounded to 4 dp at most by Magento itself. */
export const money = z.number().finite();
export const optionalMoney = money.nullish();
export const quantity = z.number().finite().nonnegative();
/** Magento datetimes: "2026-11-26 07:39:22" (UTC) or ISO 8601. */
export const magentoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be a date-time');
export const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code');
export const idLike = z.union([z.number().int().nonnegative(), z.string().min(1).max(64)]);

/** A postal address as Magento returns it on customers and orders. */
export const address = z
  .object({
    firstname: z.string().nullish(),
    lastname: z.string().nullish(),
    company: z.string().nullish(),
    street: z.array(z.string()).nullish(),
    city: z.string().nullish(),
    region: z
      .union([z.string(), z.object({ region: z.string().nullish(), region_code: z.string().nullish() }).loose()])
      .nullish(),
    postcode: z.string().nullish(),
    country_id: z.string().nullish(),
    telephone: z.string().nullish(),
    email: z.string().nullish(),
    default_billing: z.boolean().nullish(),
    default_shipping: z.boolean().nullish(),
  })
  .loose();

/** One rate's share of tax (sales_order_tax as `GET /V1/orders/{id}` lists it under extension_attributes). */
export const appliedTax = z
  .object({
    code: z.string().nullish(),
    title: z.string().nullish(),
    percent: z.number().finite().nullish(),
    amount: optionalMoney,
    base_amount: optionalMoney,
  })
  .loose();

/**
 * The money-bearing extension attributes of orders, invoices and credit memos: applied taxes (orders) and the
 * amounts Adobe Commerce's store credit and gift cards paid. All optional; other attributes pass through.
 */
export const salesExtensionAttributes = z
  .object({
    applied_taxes: z.array(appliedTax).nullish(),
    item_applied_taxes: z
      .array(
        z
          .object({
            type: z.string().nullish(),
            item_id: z.number().int().nullish(),
            associated_item_id: z.number().int().nullish(),
            applied_taxes: z.array(appliedTax).nullish(),
          })
          .loose(),
      )
      .nullish(),
    customer_balance_amount: optionalMoney,
    base_customer_balance_amount: optionalMoney,
    gift_cards_amount: optionalMoney,
    base_gift_cards_amount: optionalMoney,
  })
  .loose();
