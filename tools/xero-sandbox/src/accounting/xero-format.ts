import { randomUUID } from 'node:crypto';

/** Xero's JSON date: `/Date(1700000000000+0000)/`. */
export function msDate(ms: number): string {
  return `/Date(${ms}+0000)/`;
}

/** An MS date for a calendar day (YYYY-MM-DD at midnight UTC), as Xero returns `Date` and `DueDate`. */
export function msDay(day: string): string {
  return msDate(Date.parse(`${day}T00:00:00Z`));
}

/** The `…String` companion Xero sends next to day fields: `2024-01-31T00:00:00`. */
export function dayString(day: string): string {
  return `${day}T00:00:00`;
}

/** Today's date (UTC) for a wall-clock instant. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Reads a date a client sent: `YYYY-MM-DD`, an ISO timestamp (what xero-node sends after a round trip through its
 * Date objects) or an MS JSON date. Returns YYYY-MM-DD, or undefined when unreadable.
 */
export function parseDay(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(v);
  if (ms) return dayOf(Number(ms[1]));
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? undefined : v;
  if (/^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`);
    return Number.isNaN(t) ? undefined : dayOf(t);
  }
  return undefined;
}

/** The wrapper Xero puts around every accounting answer. */
export function envelope(providerName: string, now: number, content: Record<string, unknown>): Record<string, unknown> {
  return { Id: randomUUID(), Status: 'OK', ProviderName: providerName, DateTimeUTC: msDate(now), ...content };
}

/** Xero's summarised validation failure (ErrorNumber 10). */
export function validationException(elements: Record<string, unknown>[], message = 'A validation exception occurred') {
  return { ErrorNumber: 10, Type: 'ValidationException', Message: message, Elements: elements };
}

/** Xero's answer to a body it cannot read as JSON. */
export function postDataInvalid(detail: string) {
  return { ErrorNumber: 14, Type: 'PostDataInvalidException', Message: `JSON for post data was invalid, ${detail}` };
}

/** Xero's answer to a query it cannot parse (a bad `where`, `order` or parameter). */
export function queryParseException(message: string) {
  return { ErrorNumber: 16, Type: 'QueryParseException', Message: message };
}

/** The problem-details shape Xero's gateway uses for 401, 403, 404, 413 and 429. */
export function problem(status: number, title: string, detail: string) {
  return { Type: null, Title: title, Status: status, Detail: detail, Instance: randomUUID(), Extensions: {} };
}

/** True for a GUID in Xero's textual form. */
export function isGuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
