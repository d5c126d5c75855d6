import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** HTTP header and Kafka header that carry the correlation id from the webhook to the Xero call and sync log. */
export const CORRELATION_HEADER = 'x-correlation-id';

const storage = new AsyncLocalStorage<{ correlationId: string }>();

/** Runs `fn` with `correlationId` visible to every log line and outgoing call made inside it. */
export function runWithCorrelation<T>(correlationId: string | undefined, fn: () => T): T {
  return storage.run({ correlationId: correlationId || randomUUID() }, fn);
}

/** The correlation id of the current async context, if any. */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Accepts a caller-supplied id only if it is a sane token, so logs cannot be polluted through the header. */
export function sanitizeCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

/** A request's correlation id: the caller's X-Correlation-Id when it is a sane token, else a new one. */
export function correlationIdOf(headers: IncomingHttpHeaders): string {
  return sanitizeCorrelationId(headers[CORRELATION_HEADER]) ?? randomUUID();
}
