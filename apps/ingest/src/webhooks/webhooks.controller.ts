import { Controller, HttpCode, HttpStatus, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IngestError } from '../ingest.errors';
import { parseEventsBody } from './dto/incoming-event.dto';
import { PublishEntityChangeUseCase } from './publish-entity-change.usecase';
import { rawBodyOf } from '../ingest-http';
import { StoreSignatureGuard } from './store-signature.guard';

/** What a store gets back once Kafka acknowledged its events. */
export interface AcceptedEvents {
  accepted: number;
  eventIds: string[];
}

/** Signed store webhooks: one event or `{events:[…]}`; 202 only after Kafka acknowledged all of them. */
@Controller('v1/stores/:storeId/events')
export class WebhooksController {
  constructor(private readonly publish: PublishEntityChangeUseCase) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @UseGuards(StoreSignatureGuard)
  async receive(@Param('storeId') storeId: string, @Req() req: FastifyRequest): Promise<AcceptedEvents> {
    // The request id is the caller's X-Correlation-Id or a new one (ingest-http.ts); it travels on with every event.
    const correlationId = req.id;
    let json: unknown;
    try {
      json = JSON.parse(rawBodyOf(req).toString('utf8'));
    } catch (err) {
      throw new IngestError('MALFORMED_JSON', 'body is not valid JSON', [
        { path: '(root)', message: (err as Error).message },
      ]);
    }
    const parsed = parseEventsBody(json, {
      storeId,
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
    await this.publish.execute(parsed.value, correlationId);
    return { accepted: parsed.value.length, eventIds: parsed.value.map((e) => e.eventId) };
  }
}
