import { awaitedRecordOf, backoffMs, currentSlotStart, logEntryFor, nextState, RetryPolicy } from './sync-policy';
import { DeliveryResult } from '@xero-sync/xero';

const policy: RetryPolicy = { baseMs: 1000, maxMs: 60000, maxAttempts: 5 };
const now = new Date('2026-01-01T00:00:00Z');
const result = (over: Partial<DeliveryResult>): DeliveryResult => ({
  entity: 'order',
  entityId: '1',
  status: 'synced',
  message: 'OK',
  calls: 1,
  durationMs: 12.4,
  ...over,
});

describe('backoffMs', () => {
  it('doubles per attempt within [half, full] of the exponential delay and stops at the cap', () => {
    expect(backoffMs(1, policy, () => 0)).toBe(500);
    expect(backoffMs(1, policy, () => 1)).toBe(1000);
    expect(backoffMs(4, policy, () => 0)).toBe(4000);
    expect(backoffMs(4, policy, () => 1)).toBe(8000);
    expect(backoffMs(30, policy, () => 1)).toBe(60000);
  });
});

describe('nextState', () => {
  it('marks synced and unchanged content as synced with the Xero id', () => {
    expect(nextState(result({ xeroId: 'x1' }), 2, policy, now)).toMatchObject({
      status: 'synced',
      attempts: 3,
      xeroId: 'x1',
    });
    expect(nextState(result({ status: 'unchanged', calls: 0 }), 0, policy, now).status).toBe('synced');
  });

  it('requeues deferred items at the Retry-After time without spending an attempt', () => {
    const s = nextState(
      result({ status: 'deferred', error: { code: 'RATE_LIMITED', retryable: true, retryAfterMs: 7000 } }),
      2,
      policy,
      now,
    );
    expect(s).toMatchObject({ status: 'pending', attempts: 2 });
    expect(s.nextAttemptAt!.getTime() - now.getTime()).toBe(7000);
  });

  it('backs off retryable failures and fails them after maxAttempts', () => {
    const failed = result({
      status: 'failed',
      message: 'Xero unavailable',
      error: { code: 'UNAVAILABLE', retryable: true },
    });
    const s = nextState(failed, 1, policy, now, () => 1);
    expect(s).toMatchObject({ status: 'pending', attempts: 2, lastError: 'Xero unavailable' });
    expect(s.nextAttemptAt!.getTime() - now.getTime()).toBe(2000);
    expect(nextState(failed, 4, policy, now)).toMatchObject({ status: 'failed', attempts: 5 });
  });

  it("keeps permanent failures as failed with Xero's message", () => {
    const s = nextState(
      result({
        status: 'failed',
        message: 'Account code 999 is not valid',
        error: { code: 'VALIDATION', retryable: false },
      }),
      0,
      policy,
      now,
    );
    expect(s).toEqual({
      status: 'failed',
      attempts: 1,
      lastAttemptAt: now,
      lastError: 'Account code 999 is not valid',
    });
  });

  it('keeps waiting on a dependency past the attempt limit, backing off up to the cap', () => {
    const s = nextState(result({ status: 'waiting', message: 'order 7 is not in Xero yet' }), 40, policy, now, () => 1);
    expect(s).toMatchObject({ status: 'waiting', attempts: 41, waitingOn: 'order 7 is not in Xero yet' });
    expect(s.nextAttemptAt!.getTime() - now.getTime()).toBe(policy.maxMs);
  });

  it('says what a waiting item waits on', () => {
    const s = nextState(result({ status: 'waiting', message: 'waiting for contact of customer 5' }), 0, policy, now);
    expect(s).toMatchObject({ status: 'waiting', waitingOn: 'waiting for contact of customer 5' });
  });
});

describe('logEntryFor', () => {
  const ctx = {
    storeId: 's1',
    tenantId: 't1',
    mode: 'cron' as const,
    attempt: 2,
    syncerId: 'a',
    correlationId: 'c1',
    eventId: 'e1',
  };

  it("writes OK with the View On Xero link on success and Xero's text on errors", () => {
    expect(logEntryFor(result({ action: 'create', xeroId: 'x', xeroUrl: 'https://go.xero.com/x' }), ctx)).toMatchObject(
      {
        status: 'success',
        message: 'OK',
        action: 'create',
        xeroUrl: 'https://go.xero.com/x',
        durationMs: 12,
        correlationId: 'c1',
      },
    );
    expect(
      logEntryFor(
        result({
          status: 'failed',
          message: 'Invoice not of valid status',
          error: { code: 'VALIDATION', retryable: false },
        }),
        ctx,
      ),
    ).toMatchObject({ status: 'error', message: 'Invoice not of valid status', errorCode: 'VALIDATION', attempt: 2 });
  });

  it('writes nothing for a deferred item (no attempt was made)', () => {
    expect(logEntryFor(result({ status: 'deferred' }), ctx)).toBeNull();
  });
});

describe('awaitedRecordOf', () => {
  it('names the record a waiting item waits for: order, store-side prerequisite, customer or product', () => {
    expect(awaitedRecordOf({ entity: 'invoice', payload: { order_id: 3 } }, 'order 3 is not in Xero yet')).toEqual({
      entity: 'order',
      entityId: '3',
    });
    const memo = { order_id: 3, invoice_id: 9, order_increment_id: '000000003' };
    expect(awaitedRecordOf({ entity: 'creditmemo', payload: memo }, 'x')).toEqual({ entity: 'invoice', entityId: '9' });
    expect(awaitedRecordOf({ entity: 'creditmemo', payload: { ...memo, invoice_id: null } }, 'x')).toEqual({
      entity: 'order',
      entityId: '3',
    });
    const order = { customer_id: 7, customer_is_guest: false, customer_email: 'a@b.c' };
    expect(awaitedRecordOf({ entity: 'order', payload: order }, 'item SKU-1 was deferred (rate limited)')).toEqual({
      entity: 'product',
      entityId: 'SKU-1',
    });
    expect(awaitedRecordOf({ entity: 'order', payload: order }, 'the contact is not synced yet')).toEqual({
      entity: 'customer',
      entityId: '7',
    });
    const guest = { ...order, customer_id: null, customer_is_guest: true };
    expect(awaitedRecordOf({ entity: 'order', payload: guest }, 'the contact is not synced yet')).toBeUndefined();
    expect(awaitedRecordOf({ entity: 'customer', payload: {} }, 'x')).toBeUndefined();
  });
});

describe('currentSlotStart', () => {
  it('starts a slot every interval, offset per store', () => {
    const a = currentSlotStart('store-a', 60000, 1_000_000_000);
    expect(a).toBeLessThanOrEqual(1_000_000_000);
    expect(1_000_000_000 - a).toBeLessThan(60000);
    expect(currentSlotStart('store-a', 60000, a + 59999)).toBe(a);
    expect(currentSlotStart('store-a', 60000, a + 60000)).toBe(a + 60000);
  });
});
