import { XeroError } from '../xero.errors';
import { DEFAULT_RATE_BUDGET, OrgRateBudget, RatePermit } from './org-rate-budget';

const MINUTE = 60_000;

/** A budget on jest's fake clock (Date.now and timers move together). */
function budget(overrides: Partial<typeof DEFAULT_RATE_BUDGET> = {}): OrgRateBudget {
  return new OrgRateBudget({ ...DEFAULT_RATE_BUDGET, ...overrides, minuteMs: MINUTE });
}

/** Settles pending promise callbacks without moving the clock. */
const flush = () => jest.advanceTimersByTimeAsync(0);

describe('OrgRateBudget', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.parse('2026-11-26T09:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('keeps at most 5 calls in flight; a release lets the next one start', async () => {
    const b = budget();
    const granted: RatePermit[] = [];
    for (let i = 0; i < 6; i++) void b.acquire('normal', 'invoice', MINUTE).then((p) => granted.push(p));
    await flush();
    expect(granted).toHaveLength(5);
    expect(b.active).toBe(5);
    granted[0].release();
    await flush();
    expect(granted).toHaveLength(6);
    expect(b.active).toBe(5);
  });

  it('a call waiting only for an in-flight slot waits until its deadline, then is refused', async () => {
    const b = budget({ concurrency: 1 });
    const held = await b.acquire('normal', 'invoice', 0);
    const outcome = b.acquire('normal', 'invoice', 1_000).then(
      () => 'granted',
      (e: XeroError) => e.code,
    );
    await jest.advanceTimersByTimeAsync(999);
    expect(b.active).toBe(1);
    await jest.advanceTimersByTimeAsync(2);
    expect(await outcome).toBe('RATE_LIMITED');
    held.release();
  });

  it('never lets a minute window hold more than the limit, keeping the reserve for interactive work', async () => {
    const b = budget({ concurrency: 100 });
    const normal: RatePermit[] = [];
    for (let i = 0; i < 60; i++) void b.acquire('normal', 'invoice', 2 * MINUTE).then((p) => normal.push(p));
    await flush();
    expect(normal).toHaveLength(58); // 60 less the 2 kept for interactive work
    for (const p of normal) p.release();
    const interactive = await b.acquire('interactive', 'payment', 0);
    interactive.release();
    await flush();
    expect(normal).toHaveLength(58);
    // A call counts from its start until a minute after its answer: the queued two start only then.
    await jest.advanceTimersByTimeAsync(MINUTE - 1);
    expect(normal).toHaveLength(58);
    await jest.advanceTimersByTimeAsync(1);
    expect(normal).toHaveLength(60);
  });

  it('serves waiters by priority, then lane: Sync Now before queue work before backfill, payments before contacts', async () => {
    const b = budget({ concurrency: 1 });
    const first = await b.acquire('normal', 'invoice', MINUTE);
    const order: string[] = [];
    const take = (
      name: string,
      p: Parameters<OrgRateBudget['acquire']>[0],
      l: Parameters<OrgRateBudget['acquire']>[1],
    ) =>
      void b.acquire(p, l, MINUTE).then((permit) => {
        order.push(name);
        permit.release();
      });
    take('backfill-master', 'backfill', 'master');
    take('normal-master', 'normal', 'master');
    take('normal-payment', 'normal', 'payment');
    take('interactive-invoice', 'interactive', 'invoice');
    await flush();
    expect(order).toEqual([]);
    first.release();
    await flush();
    expect(order).toEqual(['interactive-invoice', 'normal-payment', 'normal-master', 'backfill-master']);
  });

  it('answers RATE_LIMITED with the expected wait instead of waiting past maxWaitMs', async () => {
    const b = budget({ concurrency: 100, minuteLimit: 3, minuteReserve: 0 });
    for (let i = 0; i < 3; i++) (await b.acquire('normal', 'invoice', 0)).release();
    const refused = b.acquire('normal', 'invoice', 1_000);
    const outcome = refused.then(
      () => undefined,
      (e: unknown) => e,
    );
    await jest.advanceTimersByTimeAsync(1_001);
    const err = await outcome;
    expect(err).toBeInstanceOf(XeroError);
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect((err as XeroError).retryAfterMs).toBeGreaterThan(MINUTE - 2_000);
    expect((err as XeroError).retryAfterMs).toBeLessThanOrEqual(MINUTE);
  });

  it('honours Retry-After from a 429 for every call of the org', async () => {
    const b = budget();
    b.observe({ limited: true, retryAfterMs: 5_000, problem: 'minute' });
    const granted: RatePermit[] = [];
    void b.acquire('interactive', 'payment', MINUTE).then((p) => granted.push(p));
    await jest.advanceTimersByTimeAsync(4_999);
    expect(granted).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(granted).toHaveLength(1);
  });

  it("tightens to Xero's X-MinLimit-Remaining, which also counts other instances' calls", async () => {
    const b = budget();
    b.observe({ minuteRemaining: 1 });
    (await b.acquire('normal', 'invoice', 0)).release();
    const granted: RatePermit[] = [];
    void b.acquire('normal', 'invoice', 2 * MINUTE).then((p) => granted.push(p));
    await jest.advanceTimersByTimeAsync(MINUTE - 1);
    expect(granted).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(granted).toHaveLength(1);
  });

  it('leaves the minute to the fleet budget when told to: the header does not block', async () => {
    const b = budget({ minuteHeader: false });
    b.observe({ minuteRemaining: 0 });
    (await b.acquire('normal', 'invoice', 0)).release();
    (await b.acquire('interactive', 'payment', 0)).release();
  });

  it('stops normal work at the daily limit less the reserve, seeded from the shared daily counter', async () => {
    const b = budget();
    b.syncDayCount(4_749);
    (await b.acquire('normal', 'invoice', 0)).release();
    expect(b.callsToday).toBe(4_750);
    await expect(b.acquire('normal', 'invoice', 0)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Interactive work may still use the 250 kept back.
    (await b.acquire('interactive', 'payment', 0)).release();
    expect(b.callsToday).toBe(4_751);
    // Xero's own count wins when it is higher (another instance or app used the org).
    b.observe({ dayRemaining: 10 });
    expect(b.callsToday).toBe(4_990);
  });
});
