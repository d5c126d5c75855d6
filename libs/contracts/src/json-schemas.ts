import { z } from 'zod';
import { commandSchema } from './commands.contract';
import { entityChangeEventSchema, payloadSchemas } from './entity-change.contract';
import { ENTITIES, topics } from './topics';

/**
 * The published JSON Schemas (docs/contracts) for stores that produce to Kafka themselves: one per entity
 * event, plus the commands. Generated from the same zod schemas the syncer validates with.
 */
export function buildJsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const entity of ENTITIES) {
    const schema = entityChangeEventSchema.options.find((o) => o.shape.entity.value === entity)!;
    out[`${topics.entityChanged(entity)}.schema.json`] = {
      $id: `https://xero-sync.dev/contracts/${topics.entityChanged(entity)}.schema.json`,
      title: `${entity} changed (v1)`,
      description: `Envelope on topic ${topics.entityChanged(entity)}, key = storeId; payload = Magento 2 REST ${entity}.`,
      ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }),
    };
    void payloadSchemas[entity];
  }
  out[`${topics.commands()}.schema.json`] = {
    $id: `https://xero-sync.dev/contracts/${topics.commands()}.schema.json`,
    title: 'xero-sync command (v1)',
    ...z.toJSONSchema(commandSchema, { io: 'input', unrepresentable: 'any' }),
  };
  return out;
}
