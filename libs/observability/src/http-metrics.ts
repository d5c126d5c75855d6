import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpRequestDuration } from './metrics';

/** Route label for requests no route matched (404s, probes): keeps the label set bounded whatever URLs arrive. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Records one answered request in `xero_sync_http_request_duration_seconds`, `seconds` from its arrival to its
 * answer. `route` is the route's template (`/v1/stores/:storeId/events`), never the raw URL.
 */
export function recordHttpRequest(app: string, route: string, status: number, seconds: number): void {
  httpRequestDuration.observe({ app, route, status: String(status) }, seconds);
}

/** Seconds since `startedAt` (a `process.hrtime.bigint()` reading). */
export function secondsSince(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}

type ExpressRequest = IncomingMessage & { baseUrl?: string; route?: { path?: unknown } };

/** Express middleware (admin-api, syncer) timing every request; the route is the template Express matched. */
export function expressHttpMetrics(app: string) {
  return (req: ExpressRequest, res: ServerResponse, next: () => void): void => {
    const startedAt = process.hrtime.bigint();
    res.once('finish', () => {
      const path = req.route?.path;
      const route = typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : UNMATCHED_ROUTE;
      recordHttpRequest(app, route, res.statusCode, secondsSince(startedAt));
    });
    next();
  };
}
