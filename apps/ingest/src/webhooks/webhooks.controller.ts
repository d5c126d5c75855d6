import { Controller, HttpCode, HttpStatus, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import { CORRELATION_HEADER, sanitizeCorrelationId } from '@xero-sync/observability';
import { IngestError } from '../ingest.errors';
import { parseEventsBody } from './dto/incoming-event.dto';
import { PublishEntityChangeUseCase } from './publish-entity-change.usecase';
import { RawBodyRequest } from './raw-body.middleware';
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
  async receive(
    @Param('storeId') storeId: string,
    @Req() req: RawBodyRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AcceptedEvents> {
    // This route has no per-request logger (LoggingModule exclude), so it takes the caller's X-Correlation-Id (or
    // makes one) itself; the id travels on with every event and comes back in the response.
    const correlationId = sanitizeCorrelationId(req.headers[CORRELATION_HEADER]) ?? randomUUID();
    res.setHeader('X-Correlation-Id', correlationId);
    let json: unknown;
    try {
      json = JSON.parse((req.rawBody ?? Buffer.alloc(0)).toString('utf8'));
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
