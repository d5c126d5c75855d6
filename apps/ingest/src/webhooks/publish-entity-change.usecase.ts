import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityChangeEvent, EVENT_HEADERS, topics } from '@xero-sync/contracts';
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
    for (const event of events) eventsIn.inc({ app: 'ingest', entity: event.entity, origin: event.origin });
    try {
      await this.publisher.publish(messages);
    } catch (err) {
      for (const event of events) eventsOut.inc({ app: 'ingest', entity: event.entity, outcome: 'unavailable' });
      throw err;
    }
    for (const event of events) eventsOut.inc({ app: 'ingest', entity: event.entity, outcome: 'published' });
  }
}
