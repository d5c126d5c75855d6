import { z } from 'zod';
import { customerSchema, MagentoCustomer } from './entities/customer.contract';
import { MagentoProduct, productSchema } from './entities/product.contract';
import { MagentoOrder, orderSchema } from './entities/order.contract';
import { invoiceSchema, MagentoInvoice } from './entities/invoice.contract';
import { creditMemoSchema, MagentoCreditMemo } from './entities/creditmemo.contract';
import { FieldError, parseWith, ParseResult } from './parse-result';
import { EntityName } from './topics';

/**
 * Where an event came from. `replay`: an event the syncer reads again from Kafka at an operator's request (it is not
 * published again; the syncer marks what it replays this way and delivers it at backfill priority).
 */
export const ORIGINS = ['webhook', 'producer', 'backfill', 'manual', 'replay'] as const;
export type EventOrigin = (typeof ORIGINS)[number];

/** Payload type per entity: the entity exactly as Magento 2's REST API returns it. */
export interface EntityPayloads {
  customer: MagentoCustomer;
  product: MagentoProduct;
  order: MagentoOrder;
  invoice: MagentoInvoice;
  creditmemo: MagentoCreditMemo;
}

export const payloadSchemas = {
  customer: customerSchema,
  product: productSchema,
  order: orderSchema,
  invoice: invoiceSchema,
  creditmemo: creditMemoSchema,
} as const satisfies Record<EntityName, z.ZodType>;

/** The store-side id of an entity as the envelope carries it (products are keyed by SKU, like Magento's URL). */
export function entityIdOf<E extends EntityName>(entity: E, payload: EntityPayloads[E]): string {
  switch (entity) {
    case 'customer':
      return String((payload as MagentoCustomer).id);
    case 'product':
      return (payload as MagentoProduct).sku;
    case 'order':
    case 'invoice':
    case 'creditmemo':
      return String((payload as MagentoOrder | MagentoInvoice | MagentoCreditMemo).entity_id);
    default:
      throw new Error(`unknown entity ${String(entity)}`);
  }
}

const storeId = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, _ or -, starting with a letter or digit');

const envelopeBase = z.object({
  eventId: z.uuid(),
  storeId,
  entityId: z.string().min(1).max(128),
  occurredAt: z.iso.datetime({ offset: true }),
  origin: z.enum(ORIGINS),
  schemaVersion: z.literal(1),
});

function envelopeFor<E extends EntityName>(entity: E) {
  return envelopeBase.extend({ entity: z.literal(entity), payload: payloadSchemas[entity] });
}

/** Zod schema of the event envelope (a union discriminated by `entity`), version 1. */
export const entityChangeEventSchema = z.discriminatedUnion('entity', [
  envelopeFor('customer'),
  envelopeFor('product'),
  envelopeFor('order'),
  envelopeFor('invoice'),
  envelopeFor('creditmemo'),
]);

/** An entity-change event as published on `store.<entity>.changed.v1`. */
export type EntityChangeEvent<E extends EntityName = EntityName> = {
  [K in E]: Omit<z.output<typeof entityChangeEventSchema>, 'entity' | 'payload'> & {
    entity: K;
    payload: EntityPayloads[K];
  };
}[E];

/**
 * Validates an event (already JSON-decoded). Besides the schema, checks that `entityId` is the payload's own
 * id, so a producer cannot file one order's content under another order.
 */
export function parseEntityChangeEvent(input: unknown): ParseResult<EntityChangeEvent> {
  const result = parseWith(entityChangeEventSchema, input);
  if (!result.ok) return result;
  const event = result.value as EntityChangeEvent;
  const expected = entityIdOf(event.entity, event.payload);
  if (event.entityId !== expected) {
    const errors: FieldError[] = [{ path: 'entityId', message: `must equal the payload's id "${expected}"` }];
    return { ok: false, errors };
  }
  return { ok: true, value: event };
}

/** Decodes a Kafka record value and validates it; malformed JSON is reported as a root error. */
export function decodeEntityChangeEvent(raw: Buffer | string | null): ParseResult<EntityChangeEvent> {
  if (raw === null) return { ok: false, errors: [{ path: '(root)', message: 'empty message' }] };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString());
  } catch (err) {
    return { ok: false, errors: [{ path: '(root)', message: `not JSON: ${(err as Error).message}` }] };
  }
  return parseEntityChangeEvent(json);
}
