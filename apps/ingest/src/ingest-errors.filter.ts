import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { FieldError } from '@xero-sync/contracts';
import { BrokerUnavailableError } from '@xero-sync/messaging';
import { IngestError, IngestErrorCode } from './ingest.errors';
import { MAX_EVENTS_BODY_BYTES } from './webhooks/dto/incoming-event.dto';

/** Seconds a store should wait before retrying when Kafka (or the store registry) is unavailable. */
export const BROKER_RETRY_AFTER_S = 5;

/** The JSON error body every rejection carries. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  errors?: FieldError[];
}

function statusOf(code: IngestErrorCode): HttpStatus {
  switch (code) {
    case 'UNSUPPORTED_MEDIA_TYPE':
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case 'PAYLOAD_TOO_LARGE':
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case 'STORE_NOT_FOUND':
    case 'JOB_NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    case 'SIGNATURE_MISSING':
    case 'SIGNATURE_INVALID':
    case 'SIGNATURE_STALE':
      return HttpStatus.UNAUTHORIZED;
    case 'MALFORMED_JSON':
      return HttpStatus.BAD_REQUEST;
    case 'VALIDATION':
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case 'BACKFILL_NOT_CONFIGURED':
      return HttpStatus.CONFLICT;
    case 'BROKER_UNAVAILABLE':
    case 'STORE_REGISTRY_UNAVAILABLE':
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}

const REASONS: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const rejections = new Logger('IngestRejection');
const internal = new Logger('IngestErrors');

/** Maps anything thrown while serving a request to a domain error, when it is one. */
function asIngestError(exception: unknown): IngestError | undefined {
  if (exception instanceof IngestError) return exception;
  if (exception instanceof BrokerUnavailableError)
    return new IngestError('BROKER_UNAVAILABLE', 'Kafka is unavailable; nothing was accepted, retry later');
  // Fastify's "body too large" (FST_ERR_CTP_BODY_TOO_LARGE), as Nest hands it on.
  if (exception instanceof HttpException && exception.getStatus() === 413)
    return new IngestError(
      'PAYLOAD_TOO_LARGE',
      `body exceeds the limit of ${MAX_EVENTS_BODY_BYTES} bytes; split the batch`,
    );
  return undefined;
}

/**
 * Writes the HTTP answer for a domain error. A request without pino-http's access log (the webhook route, see
 * IngestModule) gets its rejection logged here.
 */
export function sendIngestError(reply: FastifyReply, err: IngestError): void {
  const status = statusOf(err.code);
  const req = reply.request?.raw as (IncomingMessage & { log?: unknown }) | undefined;
  if (req && !req.log) {
    const line = `${req.method} ${req.url} ${status} ${err.code}: ${err.message}`;
    if (status === HttpStatus.SERVICE_UNAVAILABLE) rejections.error(line);
    else rejections.warn(line);
  }
  const body: ErrorBody = {
    statusCode: status,
    error: REASONS[status] ?? 'Error',
    code: err.code,
    message: err.message,
  };
  if (err.errors.length > 0) body.errors = err.errors;
  if (status === HttpStatus.SERVICE_UNAVAILABLE) reply.header('Retry-After', String(BROKER_RETRY_AFTER_S));
  // The rest of an oversized body is not read; closing the connection stops the client sending it.
  if (err.code === 'PAYLOAD_TOO_LARGE') reply.header('Connection', 'close');
  void reply.status(status).send(body);
}

/**
 * The one place ingest turns errors into HTTP: domain errors by code, Kafka outages as 503 + Retry-After, Nest's
 * and Fastify's own HTTP errors (unknown route, malformed request; Nest hands Fastify's on as HttpException) as
 * they are, anything else as a logged 500.
 */
export function sendError(reply: FastifyReply, exception: unknown): void {
  if (reply.sent) return;
  const domain = asIngestError(exception);
  if (domain) return sendIngestError(reply, domain);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const message = exception.message;
    void reply.status(status).send({ statusCode: status, error: REASONS[status] ?? 'Error', code: 'HTTP', message });
    return;
  }
  internal.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  void reply.status(500).send({ statusCode: 500, error: REASONS[500], code: 'INTERNAL', message: 'internal error' });
}

/**
 * Every exception while serving a request: from controllers, guards and pipes, and (Nest installs it as Fastify's
 * error handler too) from body parsing and hooks before routing (ingest-http.ts).
 */
@Catch()
export class IngestErrorsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    sendError(host.switchToHttp().getResponse<FastifyReply>(), exception);
  }
}
