import { z } from 'zod';
import { address, idLike, magentoDate } from './common';

/** `GET /V1/customers/{id}` (Magento 2 customerCustomerRepositoryV1). Extra Magento fields pass through. */
export const customerSchema = z
  .object({
    id: z.number().int().positive(),
    email: z.email(),
    firstname: z.string().min(1),
    lastname: z.string().min(1),
    group_id: z.number().int().nullish(),
    website_id: idLike.nullish(),
    store_id: idLike.nullish(),
    created_at: magentoDate.nullish(),
    updated_at: magentoDate.nullish(),
    taxvat: z.string().nullish(),
    addresses: z.array(address).default([]),
  })
  .loose();
export type MagentoCustomer = z.output<typeof customerSchema>;
