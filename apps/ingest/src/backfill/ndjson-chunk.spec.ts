import { parseEntityChangeEvent, topics } from '@xero-sync/contracts';
import { prepareChunk } from './ndjson-chunk';

const ctx = { storeId: 'store-1', origin: 'backfill' as const, forceOrigin: true, now: '2026-01-02T03:04:05.000Z' };
const order = (id: number) =>
  JSON.stringify({
    entity: 'order',
    payload: {
      entity_id: id,
      increment_id: String(100000000 + id),
      state: 'processing',
      created_at: '2026-01-01 10:00:00',
      customer_email: `c${id}@example.com`,
      order_currency_code: 'NZD',
      subtotal: 20,
      tax_amount: 3,
      grand_total: 23,
      items: [{ item_id: 1, sku: 'SKU-1', name: 'Tee', qty_ordered: 2, price: 10, row_total: 20, tax_percent: 15 }],
    },
  });

describe('prepareChunk', () => {
  it('serialises valid lines as backfill envelopes for their topic and counts the rest by line number', () => {
    const lines = [
      order(1),
      '',
      '{"entity": "order"',
      order(2),
      '\r',
      JSON.stringify({ entity: 'order', payload: {} }),
    ];
    const chunk = prepareChunk({ lines, firstLine: 41, ctx, topicPrefix: 'p-', maxErrors: 100 });

    expect(chunk.records.map((r) => r.topic)).toEqual([
      topics.entityChanged('order', 'p-'),
      topics.entityChanged('order', 'p-'),
    ]);
    const events = chunk.records.map((r) => parseEntityChangeEvent(JSON.parse(r.value)));
    expect(events.map((e) => e.ok && [e.value.entityId, e.value.storeId, e.value.origin])).toEqual([
      ['1', 'store-1', 'backfill'],
      ['2', 'store-1', 'backfill'],
    ]);
    expect(chunk.records.map((r) => [r.storeId, r.entity, r.origin, r.schemaVersion])).toEqual([
      ['store-1', 'order', 'backfill', 1],
      ['store-1', 'order', 'backfill', 1],
    ]);
    expect(chunk.records[0].eventId).toBe(events[0].ok && events[0].value.eventId);
    // Lines 42 and 45 are blank (45 holds only a carriage return); 43 is not JSON; 46 breaks the contract.
    expect(chunk.failed).toBe(2);
    expect(chunk.errors[0]).toMatchObject({ line: 43, path: '(root)', message: expect.stringContaining('not JSON') });
    const contractErrors = chunk.errors.slice(1);
    expect(contractErrors.length).toBeGreaterThan(0);
    expect(contractErrors.every((e) => e.line === 46)).toBe(true);
    expect(contractErrors.map((e) => e.path)).toContain('payload.entity_id');
  });

  it('keeps at most maxErrors item errors but counts every failed line', () => {
    const lines = Array.from({ length: 10 }, () => 'nope');
    const chunk = prepareChunk({ lines, firstLine: 1, ctx, topicPrefix: '', maxErrors: 3 });
    expect(chunk.failed).toBe(10);
    expect(chunk.errors.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(chunk.records).toEqual([]);
  });
});
