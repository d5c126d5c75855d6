import { Injectable } from '@nestjs/common';
import { IngestError } from '../ingest.errors';
import { StoreSecretsQueries } from '../stores/store-secrets.queries';
import { parseEventsBody } from './dto/incoming-event.dto';
import { PublishEntityChangeUseCase } from './publish-entity-change.usecase';
import { admitSignedRequest, verifyStoreSignature } from './store-signature.guard';

/** A webhook request as the route read it. */
export interface IncomingWebhook {
  storeId: string;
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes received (the signature covers them). */
  body: Buffer;
  /** The caller's X-Correlation-Id or a new one; it travels on with every event. */
  correlationId: string;
}

/** What a store gets back once Kafka acknowledged its events. */
export interface AcceptedEvents {
  accepted: number;
  eventIds: string[];
}

/**
 * A signed store webhook, one event or `{events:[…]}`: the store and signature are checked (404, 401), the body
 * parsed (400) and validated with every failing field named (422), and the events published; resolves only after
 * Kafka acknowledged all of them (else BrokerUnavailableError, 503).
 */
@Injectable()
export class ReceiveWebhookUseCase {
  constructor(
    private readonly secrets: StoreSecretsQueries,
    private readonly publish: PublishEntityChangeUseCase,
  ) {}

  /**
   * Called by the route before it reads the body: an unknown store (404) or missing, malformed or stale signature
   * headers (401) are refused without buffering up to 5 MiB first. The secret lookup is cached, so execute()'s
   * own check of the same costs no second round trip.
   */
  admit(storeId: string, headers: Record<string, string | string[] | undefined>): Promise<void> {
    return admitSignedRequest(this.secrets, storeId, headers);
  }

  async execute(webhook: IncomingWebhook): Promise<AcceptedEvents> {
    await verifyStoreSignature(this.secrets, webhook.storeId, webhook.headers, webhook.body);
    let json: unknown;
    try {
      json = JSON.parse(webhook.body.toString('utf8'));
    } catch (err) {
      throw new IngestError('MALFORMED_JSON', 'body is not valid JSON', [
        { path: '(root)', message: (err as Error).message },
      ]);
    }
    const parsed = parseEventsBody(json, {
      storeId: webhook.storeId,
      origin: 'webhook',
      forceOrigin: false,
      now: new Date().toISOString(),
    });
    if (!parsed.ok)
      throw new IngestError(
        'VALIDATION',
        `${parsed.errors.length} field error(s); nothing was accepted`,
        parsed.errors,
      );
    await this.publish.execute(parsed.value, webhook.correlationId);
    return { accepted: parsed.value.length, eventIds: parsed.value.map((e) => e.eventId) };
  }
}
