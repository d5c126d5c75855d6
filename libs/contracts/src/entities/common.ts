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
