import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { FieldError } from '@xero-sync/contracts';
import { BrokerUnavailableError } from '@xero-sync/messaging';
import { IngestError, IngestErrorCode } from './ingest.errors';
import { MAX_EVENTS_BODY_BYTES } from './webhooks/dto/incoming-event.dto';

/** Seconds a store should wait before retrying when Kafka (or the store registry) is unavailable or its uploads are at their limit. */
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
    case 'UPLOAD_HEADER_INVALID':
    case 'BODY_MISMATCH':
      return HttpStatus.BAD_REQUEST;
    case 'UPLOADS_IN_PROGRESS':
    case 'SPOOL_QUOTA_EXCEEDED':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'VALIDATION':
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case 'BACKFILL_NOT_CONFIGURED':
      return HttpStatus.CONFLICT;
    case 'BROKER_UNAVAILABLE':
    case 'SHUTTING_DOWN':
    case 'STORE_REGISTRY_UNAVAILABLE':
      return HttpStatus.SERVICE_UNAVAILABLE;
    case 'RATE_LIMITED':
      return HttpStatus.TOO_MANY_REQUESTS;
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
  429: 'Too Many Requests',
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

/** What a rejection answers: status, extra headers and the JSON body. */
export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** The answer to a domain error. */
export function ingestErrorAnswer(err: IngestError): ErrorAnswer {
  const status = statusOf(err.code);
  const body: ErrorBody = {
    statusCode: status,
    error: REASONS[status] ?? 'Error',
    code: err.code,
    message: err.message,
  };
  if (err.errors.length > 0) body.errors = err.errors;
  const headers: Record<string, string> = {};
  if (status === HttpStatus.SERVICE_UNAVAILABLE || status === HttpStatus.TOO_MANY_REQUESTS)
    headers['Retry-After'] = String(err.retryAfterS ?? BROKER_RETRY_AFTER_S);
  // The rest of an oversized body is not read; closing the connection stops the client sending it.
  if (err.code === 'PAYLOAD_TOO_LARGE') headers.Connection = 'close';
  return { status, headers, body };
}

/**
 * The answer to anything thrown while serving a request: domain errors by code, Kafka outages as 503 + Retry-After,
 * Nest's and Fastify's own HTTP errors (unknown route, malformed request; Nest hands Fastify's on as HttpException)
 * as they are, anything else as a logged 500.
 */
export function errorAnswer(exception: unknown): ErrorAnswer {
  const domain = asIngestError(exception);
  if (domain) return ingestErrorAnswer(domain);
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = { statusCode: status, error: REASONS[status] ?? 'Error', code: 'HTTP', message: exception.message };
    return { status, headers: {}, body };
  }
  internal.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  const body = { statusCode: 500, error: REASONS[500]!, code: 'INTERNAL', message: 'internal error' };
  return { status: 500, headers: {}, body };
}

/**
 * Logs a rejection of a request that has no pino-http access log of its own (the webhook route, webhook-route.ts):
 * 503s as errors, other refusals as warnings, each with its code and message.
 */
export function logRejection(method: string | undefined, url: string | undefined, answer: ErrorAnswer): void {
  const line = `${method} ${url} ${answer.status} ${answer.body.code}: ${answer.body.message}`;
  if (answer.status === 503) rejections.error(line);
  else if (answer.status < 500) rejections.warn(line);
}

/** Writes the error answer through Fastify (every route but the webhook one; pino-http logs these requests). */
export function sendError(reply: FastifyReply, exception: unknown): void {
  if (reply.sent) return;
  const answer = errorAnswer(exception);
  void reply.status(answer.status).headers(answer.headers).send(answer.body);
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
