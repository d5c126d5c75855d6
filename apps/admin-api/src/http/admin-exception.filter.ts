import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { BrokerUnavailableError } from '@xero-sync/messaging';
import { DuplicateKeyError } from '@xero-sync/persistence';
import { XeroError, XeroErrorCode } from '@xero-sync/xero';
import { AdminError, adminErrorStatus } from './admin.errors';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  fields?: { field: string; reason: string }[];
}

/** How a failed Xero read or connection step is answered: the client's fault, Xero's, or try later. */
function xeroErrorStatus(code: XeroErrorCode): number {
  switch (code) {
    case 'VALIDATION':
      return 422;
    case 'UNAUTHORIZED':
      return 403;
    case 'NOT_CONNECTED':
    case 'DISCONNECTED':
      return 409;
    case 'RATE_LIMITED':
      return 429;
    case 'UNAVAILABLE':
    case 'CIRCUIT_OPEN':
      return 503;
    case 'DEPENDENCY_FAILED':
      return 424;
    default: {
      const never: never = code;
      throw new Error(`unmapped Xero error ${String(never)}`);
    }
  }
}

/**
 * The one place where errors become HTTP answers: HTTP exceptions keep their status and body, coded domain
 * errors get their mapped status, anything else is a 500 whose details go to the log, not to the client.
 */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminApi');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(err);
    // A limiter that refused the request has set its own Retry-After already; that one is the truth.
    if ((body.statusCode === 503 || body.statusCode === 429) && !res.getHeader('Retry-After')) {
      const retryMs = err instanceof XeroError && err.retryAfterMs ? err.retryAfterMs : 5000;
      res.setHeader('Retry-After', String(Math.ceil(retryMs / 1000)));
    }
    res.status(body.statusCode).json(body);
  }

  private toBody(err: unknown): ErrorBody {
    if (err instanceof HttpException) {
      const response = err.getResponse();
      const status = err.getStatus();
      if (typeof response === 'object' && response !== null) {
        const r = response as Partial<ErrorBody> & { message?: unknown };
        return {
          statusCode: status,
          error: r.error ?? HttpStatus[status] ?? 'Error',
          message: Array.isArray(r.message) ? r.message.join('; ') : String(r.message ?? err.message),
          ...(r.fields ? { fields: r.fields } : {}),
        };
      }
      return { statusCode: status, error: HttpStatus[status] ?? 'Error', message: String(response) };
    }
    if (err instanceof AdminError) {
      const status = adminErrorStatus(err.code);
      return {
        statusCode: status,
        error: HttpStatus[status] ?? 'Error',
        code: err.code,
        message: err.message,
        ...(err.fields ? { fields: err.fields } : {}),
      };
    }
    if (err instanceof XeroError) {
      const status = xeroErrorStatus(err.code);
      return {
        statusCode: status,
        error: HttpStatus[status] ?? 'Error',
        code: `XERO_${err.code}`,
        message: err.xeroMessages?.length ? err.xeroMessages.join('; ') : err.message,
      };
    }
    if (err instanceof DuplicateKeyError) {
      return { statusCode: 409, error: 'Conflict', code: err.code, message: err.message };
    }
    if (err instanceof BrokerUnavailableError) {
      return {
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'BROKER_UNAVAILABLE',
        message: 'Kafka is not available; retry shortly',
      };
    }
    this.logger.error({ err }, 'unhandled error');
    return { statusCode: 500, error: 'Internal Server Error', message: 'internal error' };
  }
}
