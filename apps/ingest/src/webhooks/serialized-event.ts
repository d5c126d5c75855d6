import { EntityChangeEvent, EntityName, EventOrigin, topics } from '@xero-sync/contracts';

/** A validated event serialised for its topic, with what its Kafka record and the metrics need. */
export interface SerializedEvent {
  topic: string;
  storeId: string;
  entity: EntityName;
  origin: EventOrigin;
  eventId: string;
  schemaVersion: number;
  value: string;
}

export function serializeEvent(event: EntityChangeEvent, topicPrefix: string): SerializedEvent {
  return {
    topic: topics.entityChanged(event.entity, topicPrefix),
    storeId: event.storeId,
    entity: event.entity,
    origin: event.origin,
    eventId: event.eventId,
    schemaVersion: event.schemaVersion,
    value: JSON.stringify(event),
  };
}
