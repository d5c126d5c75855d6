/** The entities a store syncs to Xero. */
export const ENTITIES = ['customer', 'product', 'order', 'invoice', 'creditmemo'] as const;
export type EntityName = (typeof ENTITIES)[number];

/** Kafka topic names (docs/conventions.md). The only place they are spelled out; `prefix` isolates test runs. */
export const topics = {
  entityChanged: (entity: EntityName, prefix = '') => `${prefix}store.${entity}.changed.v1`,
  allEntityChanged: (prefix = '') => ENTITIES.map((e) => `${prefix}store.${e}.changed.v1`),
  deadLetters: (prefix = '') => `${prefix}store.changed.dlq.v1`,
  commands: (prefix = '') => `${prefix}xero-sync.commands.v1`,
} as const;

/** Recovers the entity from a topic name built by `topics.entityChanged`, or undefined for other topics. */
export function entityOfTopic(topic: string, prefix = ''): EntityName | undefined {
  const match = /^store\.([a-z]+)\.changed\.v1$/.exec(topic.slice(prefix.length));
  return match && (ENTITIES as readonly string[]).includes(match[1]) ? (match[1] as EntityName) : undefined;
}

/** Kafka headers carried on every event. */
export const EVENT_HEADERS = {
  correlationId: 'x-correlation-id',
  eventId: 'x-event-id',
  schemaVersion: 'x-schema-version',
} as const;
