import { randomUUID } from 'node:crypto';
import {
  ENTITIES,
  EntityChangeEvent,
  EventOrigin,
  FieldError,
  ParseResult,
  parseEntityChangeEvent,
} from '@xero-sync/contracts';

/** Most events accepted in one webhook request (`{events:[…]}`); larger sets go through backfill. */
export const MAX_EVENTS_PER_REQUEST = 1000;

/** Largest webhook body accepted (one event or a batch): 5 MiB. Documented in docs/contracts/README.md. */
export const MAX_EVENTS_BODY_BYTES = 5 * 1024 * 1024;

export interface IncomingContext {
  /** The store from the URL; an event naming another store is refused. */
  storeId: string;
  /** Origin filled in when the event does not say or says "producer" (webhook), or forced (backfill). */
  origin: EventOrigin;
  forceOrigin: boolean;
  /** ISO timestamp used for a missing occurredAt. */
  now: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The payload's own id as the envelope carries it, when the payload has one of the right type. */
function deriveEntityId(entity: unknown, payload: unknown): string | undefined {
  if (!isObject(payload) || typeof entity !== 'string' || !(ENTITIES as readonly string[]).includes(entity))
    return undefined;
  const id = entity === 'product' ? payload.sku : entity === 'customer' ? payload.id : payload.entity_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

function prefixed(errors: FieldError[], basePath: string): FieldError[] {
  if (!basePath) return errors;
  return errors.map((e) => ({ path: e.path === '(root)' ? basePath : `${basePath}.${e.path}`, message: e.message }));
}

/**
 * Turns one incoming item into a validated envelope. Stores may send the full envelope (libs/contracts) or just
 * `{entity, payload}`: missing eventId (uuid), entityId (the payload's id), occurredAt (now), origin and
 * schemaVersion (1) are filled in; storeId comes from the URL and must match if given. Errors carry paths
 * relative to `basePath` (e.g. `events.3.payload.items.0.sku`).
 */
export function normalizeIncomingEvent(
  input: unknown,
  ctx: IncomingContext,
  basePath = '',
): ParseResult<EntityChangeEvent> {
  if (!isObject(input))
    return { ok: false, errors: [{ path: basePath || '(root)', message: 'must be an event object' }] };
  if (input.storeId !== undefined && input.storeId !== ctx.storeId) {
    const path = basePath ? `${basePath}.storeId` : 'storeId';
    return {
      ok: false,
      errors: [{ path, message: `must equal the store in the URL ("${ctx.storeId}") or be omitted` }],
    };
  }
  // The envelope's own keys only (the schema drops any others anyway): spreading the input and then overwriting
  // its keys made V8 rebuild the object, a quarter of a backfill's CPU (docs/ingest.md).
  const candidate = {
    eventId: input.eventId ?? randomUUID(),
    entity: input.entity,
    storeId: ctx.storeId,
    entityId: input.entityId ?? deriveEntityId(input.entity, input.payload),
    occurredAt: input.occurredAt ?? ctx.now,
    // "producer" marks events a store wrote to Kafka itself, which the syncer holds to a signature of their own;
    // an event that came through ingest was authenticated here and takes ingest's origin instead.
    origin: ctx.forceOrigin || input.origin === 'producer' ? ctx.origin : (input.origin ?? ctx.origin),
    schemaVersion: input.schemaVersion ?? 1,
    payload: input.payload,
  };
  const result = parseEntityChangeEvent(candidate);
  return result.ok ? result : { ok: false, errors: prefixed(result.errors, basePath) };
}

/**
 * Reads a webhook body: one event, or `{ "events": [ … ] }` with 1..MAX_EVENTS_PER_REQUEST events. All-or-nothing:
 * any invalid event fails the request with every failing path, so nothing is half-accepted.
 */
export function parseEventsBody(json: unknown, ctx: IncomingContext): ParseResult<EntityChangeEvent[]> {
  if (isObject(json) && 'events' in json) {
    const items = json.events;
    if (!Array.isArray(items))
      return { ok: false, errors: [{ path: 'events', message: 'must be an array of events' }] };
    if (items.length === 0 || items.length > MAX_EVENTS_PER_REQUEST) {
      return { ok: false, errors: [{ path: 'events', message: `must hold 1 to ${MAX_EVENTS_PER_REQUEST} events` }] };
    }
    const events: EntityChangeEvent[] = [];
    const errors: FieldError[] = [];
    items.forEach((item, i) => {
      const result = normalizeIncomingEvent(item, ctx, `events.${i}`);
      if (result.ok) events.push(result.value);
      else errors.push(...result.errors);
    });
    return errors.length > 0 ? { ok: false, errors } : { ok: true, value: events };
  }
  const single = normalizeIncomingEvent(json, ctx);
  return single.ok ? { ok: true, value: [single.value] } : single;
}
