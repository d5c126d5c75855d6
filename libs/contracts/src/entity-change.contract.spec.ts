import { randomUUID } from 'node:crypto';
import { buildJsonSchemas } from './json-schemas';
import { decodeEntityChangeEvent, parseEntityChangeEvent } from './entity-change.contract';

const order = {
  entity_id: 42,
  increment_id: '000000042',
  state: 'processing',
  created_at: '2026-11-20 10:00:00',
  customer_id: 7,
  customer_email: 'ana@example.com',
  order_currency_code: 'NZD',
  subtotal: 20,
  tax_amount: 3,
  shipping_amount: 5,
  grand_total: 28,
  items: [{ item_id: 1, sku: 'TEE-1', name: 'Tee', qty_ordered: 2, price: 10, row_total: 20, tax_percent: 15 }],
};

const envelope = (overrides: Record<string, unknown> = {}) => ({
  eventId: randomUUID(),
  storeId: 'store-1',
  entity: 'order',
  entityId: '42',
  occurredAt: '2026-11-20T10:00:00Z',
  origin: 'webhook',
  schemaVersion: 1,
  payload: order,
  ...overrides,
});

describe('entity change contract', () => {
  it('accepts a Magento order envelope and keeps unknown Magento fields', () => {
    const result = parseEntityChangeEvent(envelope({ payload: { ...order, extension_attributes: { x: 1 } } }));
    expect(result.ok).toBe(true);
    if (result.ok && result.value.entity === 'order') {
      expect(result.value.payload.items[0].sku).toBe('TEE-1');
      expect((result.value.payload as Record<string, unknown>).extension_attributes).toEqual({ x: 1 });
    }
  });

  it('names every failing field with its path', () => {
    const bad = envelope({ storeId: 'bad store!', payload: { ...order, grand_total: 'x', items: [{ item_id: 1 }] } });
    const result = parseEntityChangeEvent(bad);
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['storeId', 'payload.grand_total', 'payload.items.0.sku']));
  });

  it('refuses an entityId that is not the payload id', () => {
    const result = parseEntityChangeEvent(envelope({ entityId: '43' }));
    expect(result).toEqual({ ok: false, errors: [{ path: 'entityId', message: `must equal the payload's id "42"` }] });
  });

  it('reports malformed JSON as a root error instead of throwing', () => {
    const result = decodeEntityChangeEvent(Buffer.from('{"eventId":'));
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.errors[0].path).toBe('(root)');
  });

  it('publishes a JSON Schema per entity topic and for commands', () => {
    const schemas = buildJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual([
      'store.creditmemo.changed.v1.schema.json',
      'store.customer.changed.v1.schema.json',
      'store.invoice.changed.v1.schema.json',
      'store.order.changed.v1.schema.json',
      'store.product.changed.v1.schema.json',
      'xero-sync.commands.v1.schema.json',
    ]);
    const orderSchema = schemas['store.order.changed.v1.schema.json'] as { properties: Record<string, unknown> };
    expect(Object.keys(orderSchema.properties)).toEqual(
      expect.arrayContaining(['eventId', 'storeId', 'entity', 'entityId', 'payload']),
    );
  });
});
