import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityChangeEvent, EntityName, EVENT_HEADERS, EventOrigin, topics } from '@xero-sync/contracts';
import { EventPublisher, OutgoingMessage } from '@xero-sync/messaging';
import { eventsIn, eventsOut } from '@xero-sync/observability';

/**
 * Publishes validated entity-change events to `store.<entity>.changed.v1`, key = storeId (one store's events
 * stay ordered on one partition), with correlation id, event id and schema version headers. Resolves only
 * once Kafka acknowledged every event (acks=all); throws BrokerUnavailableError otherwise, in which case the
 * caller acknowledges nothing (some events may still land: consumers dedupe by eventId).
 */
@Injectable()
export class PublishEntityChangeUseCase {
  private readonly prefix: string;

  constructor(
    private readonly publisher: EventPublisher,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = config.KAFKA_TOPIC_PREFIX;
  }

  async execute(events: EntityChangeEvent[], correlationId: string): Promise<void> {
    const messages: OutgoingMessage[] = events.map((event) => ({
      topic: topics.entityChanged(event.entity, this.prefix),
      key: event.storeId,
      value: JSON.stringify(event),
      headers: {
        [EVENT_HEADERS.correlationId]: correlationId,
        [EVENT_HEADERS.eventId]: event.eventId,
        [EVENT_HEADERS.schemaVersion]: String(event.schemaVersion),
      },
    }));
    // Counted per (entity, origin) rather than per event: a backfill chunk is a thousand events.
    const tally = new Map<string, { entity: EntityName; origin: EventOrigin; count: number }>();
    for (const event of events) {
      const key = `${event.entity}/${event.origin}`;
      const entry = tally.get(key) ?? { entity: event.entity, origin: event.origin, count: 0 };
      entry.count++;
      tally.set(key, entry);
    }
    for (const { entity, origin, count } of tally.values()) eventsIn.inc({ app: 'ingest', entity, origin }, count);
    let outcome = 'published';
    try {
      await this.publisher.publish(messages);
    } catch (err) {
      outcome = 'unavailable';
      throw err;
    } finally {
      for (const { entity, count } of tally.values()) eventsOut.inc({ app: 'ingest', entity, outcome }, count);
    }
  }
}
