import { randomUUID } from 'node:crypto';
import { normalizeIncomingEvent, parseEventsBody } from './incoming-event.dto';

const ctx = { storeId: 'store-1', origin: 'webhook' as const, forceOrigin: false, now: '2026-11-26T08:00:00.000Z' };
const product = { id: 3, sku: 'TEE-RED', name: 'Red tee', price: 25 };

describe('incoming events', () => {
  it('fills in the envelope of a bare {entity, payload} item', () => {
    const result = normalizeIncomingEvent({ entity: 'product', payload: product }, ctx);
    expect(result.ok && result.value).toMatchObject({
      storeId: 'store-1',
      entity: 'product',
      entityId: 'TEE-RED',
      occurredAt: ctx.now,
      origin: 'webhook',
      schemaVersion: 1,
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('publishes only the envelope keys: anything else a store adds at the top level is dropped', () => {
    const result = normalizeIncomingEvent({ entity: 'product', payload: product, debug: true, note: 'x' }, ctx);
    expect(result.ok).toBe(true);
    expect(result.ok && Object.keys(result.value).sort()).toEqual(
      ['entity', 'entityId', 'eventId', 'occurredAt', 'origin', 'payload', 'schemaVersion', 'storeId'].sort(),
    );
    expect(result.ok && result.value.payload).toMatchObject(product);
  });

  it('keeps a full envelope as sent, and forces the origin only when told to (backfill) or when it claims "producer"', () => {
    const eventId = randomUUID();
    const envelope = {
      eventId,
      storeId: 'store-1',
      entity: 'product',
      entityId: 'TEE-RED',
      occurredAt: '2026-01-01T00:00:00Z',
      origin: 'manual',
      schemaVersion: 1,
      payload: product,
    };
    expect(normalizeIncomingEvent(envelope, ctx)).toMatchObject({
      ok: true,
      value: { eventId, origin: 'manual', occurredAt: '2026-01-01T00:00:00Z' },
    });
    // "producer" is for events a store signs and writes to Kafka itself; through ingest it becomes ingest's origin.
    expect(normalizeIncomingEvent({ ...envelope, origin: 'producer' }, ctx)).toMatchObject({
      ok: true,
      value: { origin: ctx.origin },
    });
    expect(normalizeIncomingEvent(envelope, { ...ctx, origin: 'backfill', forceOrigin: true })).toMatchObject({
      ok: true,
      value: { origin: 'backfill' },
    });
  });

  it('refuses an event for another store and reports batch errors with their index', () => {
    expect(normalizeIncomingEvent({ storeId: 'other', entity: 'product', payload: product }, ctx)).toEqual({
      ok: false,
      errors: [{ path: 'storeId', message: 'must equal the store in the URL ("store-1") or be omitted' }],
    });
    const result = parseEventsBody(
      {
        events: [{ entity: 'product', payload: product }, { entity: 'product', payload: { ...product, price: -1 } }, 7],
      },
      ctx,
    );
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['events.1.payload.price', 'events.2']);
  });

  it('bounds a batch', () => {
    expect(parseEventsBody({ events: [] }, ctx)).toMatchObject({ ok: false, errors: [{ path: 'events' }] });
    expect(parseEventsBody({ events: 'x' }, ctx)).toMatchObject({
      ok: false,
      errors: [{ path: 'events', message: 'must be an array of events' }],
    });
  });
});
