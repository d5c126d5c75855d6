import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityChangeEvent, EntityName, EVENT_HEADERS, EventOrigin } from '@xero-sync/contracts';
import { EventPublisher, OutgoingMessage } from '@xero-sync/messaging';
import { eventsIn, eventsOut } from '@xero-sync/observability';
import { SerializedEvent, serializeEvent } from './serialized-event';

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
    await this.publishSerialized(
      events.map((event) => serializeEvent(event, this.prefix)),
      correlationId,
    );
  }

  /** The same for events already validated and serialised (backfill chunks, prepared on a worker thread). */
  async publishSerialized(records: SerializedEvent[], correlationId: string): Promise<void> {
    const messages: OutgoingMessage[] = records.map((record) => ({
      topic: record.topic,
      key: record.storeId,
      value: record.value,
      headers: {
        [EVENT_HEADERS.correlationId]: correlationId,
        [EVENT_HEADERS.eventId]: record.eventId,
        [EVENT_HEADERS.schemaVersion]: String(record.schemaVersion),
      },
    }));
    // Counted per (entity, origin) rather than per event: a backfill chunk is a thousand events.
    const tally = new Map<string, { entity: EntityName; origin: EventOrigin; count: number }>();
    for (const { entity, origin } of records) {
      const key = `${entity}/${origin}`;
      const entry = tally.get(key) ?? { entity, origin, count: 0 };
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
