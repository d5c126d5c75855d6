import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityChangeEvent, EntityName, EVENT_HEADERS, EventOrigin, topics } from '@xero-sync/contracts';
import { EventPublisher, OutgoingMessage } from '@xero-sync/messaging';
import { eventsIn, eventsOut } from '@xero-sync/observability';
import { signedRecordHeaders } from '@xero-sync/security';
import { IngestError } from '../ingest.errors';
import { StoreSecretsQueries } from '../stores/store-secrets.queries';

/**
 * Publishes validated entity-change events to `store.<entity>.changed.v1`, key = storeId (one store's events
 * stay ordered on one partition), with correlation id, event id and schema version headers, and signed with the
 * store's webhook secret like a direct producer's record (`x-store-timestamp`, `x-store-signature` over the record
 * value): the syncer takes no event without its store's signature, whatever origin it claims. Resolves only
 * once Kafka acknowledged every event (acks=all); throws BrokerUnavailableError otherwise, in which case the
 * caller acknowledges nothing (some events may still land: consumers dedupe by eventId).
 */
@Injectable()
export class PublishEntityChangeUseCase {
  private readonly prefix: string;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly secrets: StoreSecretsQueries,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = config.KAFKA_TOPIC_PREFIX;
  }

  async execute(events: EntityChangeEvent[], correlationId: string): Promise<void> {
    // The secrets are cached (StoreSecretsQueries): signing costs one HMAC per event, no lookup.
    const secrets = new Map<string, string>();
    for (const storeId of new Set(events.map((e) => e.storeId))) {
      const secret = await this.secrets.secretOf(storeId);
      if (secret === null) throw new IngestError('STORE_NOT_FOUND', `store "${storeId}" is not registered`);
      secrets.set(storeId, secret);
    }
    const timestamp = Math.floor(Date.now() / 1000);
    const messages: OutgoingMessage[] = events.map((event) => {
      const value = JSON.stringify(event);
      return {
        topic: topics.entityChanged(event.entity, this.prefix),
        key: event.storeId,
        value,
        headers: {
          [EVENT_HEADERS.correlationId]: correlationId,
          [EVENT_HEADERS.eventId]: event.eventId,
          [EVENT_HEADERS.schemaVersion]: String(event.schemaVersion),
          ...signedRecordHeaders(secrets.get(event.storeId)!, timestamp, value),
        },
      };
    });
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
