import { parseEntityChangeEvent } from '@xero-sync/contracts';
import { fixtureEvents, makeStore } from './store-fixtures';

describe('store fixtures', () => {
  it('produce events the contract accepts', () => {
    const events = fixtureEvents('store-1', makeStore({ orders: 12, invoiced: 6, refunded: 2 }));
    for (const e of events) {
      const parsed = parseEntityChangeEvent(e);
      expect(parsed.ok ? 'ok' : JSON.stringify(parsed.errors)).toBe('ok');
    }
  });
});
