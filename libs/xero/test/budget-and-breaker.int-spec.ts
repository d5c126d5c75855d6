import { randomUUID } from 'node:crypto';
import type { MagentoCustomer } from '@xero-sync/contracts';
import { generateStore } from '@xero-sync/testing';
import { DeliveryItem } from '@xero-sync/xero';
import { deliverToStore, MINUTE_BUDGET, steadyBudgetUse, xeroWorld, XeroWorld } from './xero-test-app';

const asItems = (customers: MagentoCustomer[]): DeliveryItem[] =>
  customers.map((c) => ({ entity: 'customer', entityId: String(c.id), payload: c, eventId: randomUUID() }));

describe('per-org rate budget against the time-scaled sandbox', () => {
  let w: XeroWorld;
  // A Xero minute lasts 10 s (sandbox and product scaled alike): a slot is held from the call until its answer +
  // one minute, so call latency must stay small next to the minute for the budget use to show; at 5 s minutes a
  // loaded machine's latency alone cost 0.87-0.93 of the budget.
  const TIME_SCALE = 6;

  beforeAll(async () => {
    // one element per call, so the backlog is measured in calls
    w = await xeroWorld({ timeScale: TIME_SCALE, options: { batchSize: 1, maxRateWaitMs: 60_000 } });
  });
  afterAll(async () => {
    await w?.close();
  });

  it('delivers a backlog of six minute-budgets with zero 429s, using at least 90% of the budget', async () => {
    const customers = generateStore({ seed: 9, customers: MINUTE_BUDGET * 6, products: 1, orders: 1 }).customers;
    const minuteMs = 60_000 / TIME_SCALE;
    const started = Date.now();
    // the whole backlog in one delivery (as a Cron flush would hand it over); deferred items go round again
    let pending = asItems(customers);
    while (pending.length > 0) {
      const results = await deliverToStore(w.x, w.storeId, pending, { priority: 'normal' });
      expect(results.filter((r) => r.status === 'failed')).toEqual([]);
      pending = pending.filter((_, i) => results[i].status === 'deferred');
    }
    const elapsed = Date.now() - started;
    const counters = await w.sandbox.control.counters(w.tenantId);
    expect(counters.http429).toBe(0);
    expect(counters.maxConcurrentSeen).toBeLessThanOrEqual(5);
    const used = steadyBudgetUse(counters, elapsed, minuteMs);
    expect(used).toBeGreaterThanOrEqual(0.9);
    // daily counters shared in MongoDB equal Xero's own count
    await w.x.client.flushStats();
    const stat = await w.x.stats.get(w.tenantId, new Date().toISOString().slice(0, 10));
    expect(stat?.calls).toBe(counters.total);
    expect(stat?.http429).toBe(0);
    expect(stat?.minuteRemaining).toBeGreaterThanOrEqual(0);
  }, 600_000);
});

describe('per-org circuit breaker against a sandbox outage', () => {
  let w: XeroWorld;

  beforeAll(async () => {
    w = await xeroWorld({
      timeScale: 1,
      options: { batchSize: 1, breaker: { volumeThreshold: 3, resetTimeoutMs: 1500, timeoutMs: 5000 } },
    });
  });
  afterAll(async () => {
    await w?.close();
  });

  it('opens after a few failures, stops calling, half-opens and closes on recovery', async () => {
    const customers = generateStore({ seed: 10, customers: 20, products: 1, orders: 1 }).customers;
    await w.sandbox.control.addFault({ kind: 'status', status: 503, tenantId: w.tenantId, durationMs: 60_000 });
    const first = await deliverToStore(w.x, w.storeId, asItems(customers.slice(0, 6)), { priority: 'normal' });
    expect(first.some((r) => r.error?.code === 'UNAVAILABLE')).toBe(true);
    expect(w.x.client.breakerState(w.tenantId)).toBe('open');
    const callsWhenOpen = (await w.sandbox.control.counters(w.tenantId)).total;
    const during = await deliverToStore(w.x, w.storeId, asItems(customers.slice(6, 12)), { priority: 'normal' });
    expect(during.every((r) => r.status === 'deferred' && r.error?.code === 'CIRCUIT_OPEN')).toBe(true);
    expect((await w.sandbox.control.counters(w.tenantId)).total).toBe(callsWhenOpen);
    await w.sandbox.control.clearFaults();
    await new Promise((r) => setTimeout(r, 1700));
    expect(w.x.client.breakerState(w.tenantId)).toBe('halfOpen');
    // half-open lets one probe through; its success closes the breaker and the rest flows again
    const [probe] = await deliverToStore(w.x, w.storeId, asItems(customers.slice(6, 7)), { priority: 'normal' });
    expect(probe.status).toBe('synced');
    expect(w.x.client.breakerState(w.tenantId)).toBe('closed');
    const after = await deliverToStore(w.x, w.storeId, asItems(customers.slice(7, 12)), { priority: 'normal' });
    expect(after.every((r) => r.status === 'synced')).toBe(true);
  });
});
