import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { FieldError } from '@xero-sync/contracts';
import { BrokerUnavailableError } from '@xero-sync/messaging';
import { IngestError, IngestErrorCode } from './ingest.errors';

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
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const rejections = new Logger('IngestRejection');

/**
 * Writes the HTTP answer for a domain error; also used by the body middleware, which runs before Nest's routing.
 * A request without pino-http's access log (the webhook route, see IngestModule) gets its rejection logged here.
 */
export function sendIngestError(res: Response, err: IngestError): void {
  const status = statusOf(err.code);
  const req = res.req as (Response['req'] & { log?: unknown }) | undefined;
  if (req && !req.log) {
    const line = `${req.method} ${req.originalUrl ?? req.url} ${status} ${err.code}: ${err.message}`;
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
  if (status === HttpStatus.SERVICE_UNAVAILABLE) res.setHeader('Retry-After', String(BROKER_RETRY_AFTER_S));
  // The rest of an oversized body is not read; closing the connection stops the client sending it.
  if (err.code === 'PAYLOAD_TOO_LARGE') res.setHeader('Connection', 'close');
  res.status(status).json(body);
}

/**
 * The one place ingest turns errors into HTTP: domain errors by code, Kafka outages as 503 + Retry-After,
 * Nest's own HTTP exceptions (unknown route…) as they are, and anything else as a logged 500.
 */
@Catch()
export class IngestErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger(IngestErrorsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof IngestError) return sendIngestError(res, exception);
    if (exception instanceof BrokerUnavailableError) {
      return sendIngestError(
        res,
        new IngestError('BROKER_UNAVAILABLE', 'Kafka is unavailable; nothing was accepted, retry later'),
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      res
        .status(status)
        .json({ statusCode: status, error: REASONS[status] ?? 'Error', code: 'HTTP', message: exception.message });
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    res.status(500).json({ statusCode: 500, error: REASONS[500], code: 'INTERNAL', message: 'internal error' });
  }
}
