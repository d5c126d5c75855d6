import { DynamicModule, Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import { correlationIdOf, currentCorrelationId } from './correlation';
import { redactDeep, redactQuery, redactText } from './log-redaction';

export interface LoggingOptions {
  app: string;
  level: string;
  /**
   * Level of the access-log line for successful (< 400) requests. A high-volume app (ingest) logs them at
   * `debug`, so at the default `info` only failures are written: serialising a line per webhook cost about a
   * third of ingest's CPU per request in the ingest benchmark.
   */
  successLevel?: 'info' | 'debug';
}

/** Paths whose request logs would drown the useful ones (probes and scrapes every few seconds). */
const QUIET_PATHS = new Set(['/health', '/metrics']);

/** Request, response and error as pino would log them, then redacted (log-redaction.ts). */
const redactingSerializer =
  (name: string) =>
  (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    if (typeof copy.url === 'string') copy.url = redactText(copy.url);
    if (copy.query && typeof copy.query === 'object') copy.query = redactQuery(copy.query as Record<string, unknown>);
    if (name === 'err' && typeof copy.stack === 'string') copy.stack = redactText(copy.stack);
    return redactDeep(copy);
  };

/**
 * Structured JSON logs (pino) with the correlation id on every line: taken from the X-Correlation-Id header
 * (or generated) for HTTP requests, and from the async context for Kafka-driven work. Secrets never reach the
 * logs, wherever they sit: any property named like a secret (tokens, secrets, keys, passwords,
 * authorization, cookies and `set-cookie`, signatures) is redacted at any depth, in the logged request,
 * response and error as in a line's own fields; URLs and messages lose the values of secret query
 * parameters (the OAuth `code` and `state`) and Bearer credentials.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        PinoLoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { app: options.app },
            messageKey: 'msg',
            mixin: () => {
              const correlationId = currentCorrelationId();
              return correlationId ? { correlationId } : {};
            },
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const id = correlationIdOf(req.headers);
              res.setHeader('X-Correlation-Id', id);
              return id;
            },
            customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
              err || res.statusCode >= 500
                ? 'error'
                : res.statusCode >= 400
                  ? 'warn'
                  : (options.successLevel ?? 'info'),
            customProps: (req: IncomingMessage) => ({ correlationId: (req as IncomingMessage & { id?: string }).id }),
            autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
            serializers: {
              req: redactingSerializer('req'),
              res: redactingSerializer('res'),
              err: redactingSerializer('err'),
            },
            formatters: { log: (fields: Record<string, unknown>) => redactDeep(fields) },
            hooks: {
              logMethod(args: unknown[], method: (...a: unknown[]) => void) {
                method.apply(
                  this,
                  args.map((a) => (typeof a === 'string' ? redactText(a) : a)),
                );
              },
            },
            // Kept as a second line of defence on the known places (fast-redact, applied when serialising).
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'req.headers["x-store-signature"]',
                'req.headers["x-api-key"]',
                '*.access_token',
                '*.refresh_token',
                '*.secret',
              ],
              censor: '[redacted]',
            },
          },
        }),
      ],
    };
  }
}
