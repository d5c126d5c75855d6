import type { FreeSlot, HeldBudgetSlots, OrgBudgetView, SlotRelease } from '@xero-sync/persistence';
import { XeroError } from '../xero.errors';
import { BudgetSlotStore, FleetBudget, fleetInflightReserve, FleetPermit, fleetReserve } from './fleet-budget';
import type { CallLane, DeliveryPriority } from './org-rate-budget';

const MINUTE = 60_000;

/** An in-memory slot store with budget_slots' rules: a slot is busy until its newest epoch expires. */
class FakeSlots implements BudgetSlotStore {
  readonly expires = new Map<string, number>();
  retryAfterUntil?: Date;
  breakerOpenUntil?: Date;
  /** Claims to refuse as if another process won the race. */
  stolen = 0;
  /** Pairs asked for by each claim (one insert each). */
  readonly claims: number[] = [];

  constructor(private readonly limits: { inflight: number; minute: number }) {}

  async view(_org: string, _l: unknown, now: Date): Promise<OrgBudgetView> {
    const free = (kind: string, n: number): FreeSlot[] =>
      Array.from({ length: n }, (_, slot) => slot)
        .filter((slot) => (this.expires.get(`${kind}:${slot}`) ?? 0) <= now.getTime())
        .map((slot) => ({ slot, epoch: 1 }));
    const busyMinute = [...this.expires]
      .filter(([k, t]) => k.startsWith('minute:') && t > now.getTime())
      .map(([, t]) => new Date(t))
      .sort((a, b) => a.getTime() - b.getTime());
    return {
      freeInflight: free('inflight', this.limits.inflight),
      freeMinute: free('minute', this.limits.minute),
      minuteFreesAt: busyMinute,
      retryAfterUntil: this.retryAfterUntil,
      breakerOpenUntil: this.breakerOpenUntil,
      superseded: [],
    };
  }

  async claimPairs(
    org: string,
    _owner: string,
    pairs: { inflight: FreeSlot; minute: FreeSlot }[],
    inflightUntil: Date,
    minuteUntil: Date,
  ): Promise<(HeldBudgetSlots | null)[]> {
    this.claims.push(pairs.length);
    return pairs.map(({ inflight, minute }) => {
      if (this.stolen > 0) {
        this.stolen--;
        return null;
      }
      this.expires.set(`inflight:${inflight.slot}`, inflightUntil.getTime());
      this.expires.set(`minute:${minute.slot}`, minuteUntil.getTime());
      return { org, inflightId: `inflight:${inflight.slot}`, minuteId: `minute:${minute.slot}` };
    });
  }

  /** Releases given back by each write (one command each). */
  readonly releaseWrites: number[] = [];

  async releaseMany(releases: SlotRelease[]): Promise<void> {
    this.releaseWrites.push(releases.length);
    for (const { held, minuteFreeAt, now } of releases) {
      this.expires.set(held.inflightId, now.getTime());
      this.expires.set(held.minuteId, Math.min(this.expires.get(held.minuteId)!, minuteFreeAt.getTime()));
    }
  }

  async blockUntil(_org: string, until: Date): Promise<void> {
    this.retryAfterUntil = until;
  }

  async setBreakerOpen(_org: string, until: Date | null): Promise<void> {
    this.breakerOpenUntil = until ?? undefined;
  }

  async openBreakers(): Promise<Record<string, Date>> {
    throw new Error('unexpected read of open breakers');
  }

  async deleteSuperseded(): Promise<void> {
    throw new Error('unexpected sweep');
  }

  get liveInflight(): number {
    return [...this.expires].filter(([k, t]) => k.startsWith('inflight:') && t > Date.now()).length;
  }
}

const flush = () => jest.advanceTimersByTimeAsync(0);

describe('FleetBudget', () => {
  let slots: FakeSlots;
  let fleet: FleetBudget;

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse('2026-11-26T09:00:00Z') });
    jest.spyOn(Math, 'random').mockReturnValue(0);
    slots = new FakeSlots({ inflight: 5, minute: 60 });
    fleet = new FleetBudget(slots, {
      minuteMs: MINUTE,
      minuteLimit: 60,
      concurrency: 5,
      callHoldMs: 35_000,
      owner: 'p1',
    });
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** `n` invoice calls of one priority waiting for the org's slots at once; the array fills as they are granted. */
  async function waitersFor(n: number, priority: 'interactive' | 'normal'): Promise<FleetPermit[]> {
    const granted: FleetPermit[] = [];
    for (let i = 0; i < n; i++)
      void fleet.acquire('org', priority, 'invoice', Date.now() + MINUTE).then((p) => granted.push(p));
    await flush();
    return granted;
  }

  /** `n` calls, each answered and its slots given back (the release written) before the next asks. */
  async function callOneAfterAnother(n: number, priority: DeliveryPriority, lane: CallLane): Promise<void> {
    for (let i = 0; i < n; i++) {
      (await fleet.acquire('org', priority, lane, Date.now())).release(Date.now());
      await flush();
    }
  }

  it('holds at most 5 in flight fleet-wide; a release lets the next one in', async () => {
    const granted = await waitersFor(6, 'interactive');
    expect(granted).toHaveLength(5);
    expect(slots.liveInflight).toBe(5);
    granted[0].release(Date.now());
    await jest.advanceTimersByTimeAsync(40);
    expect(granted).toHaveLength(6);
  });

  it('gives back the slots of calls that finish during a release write in one next write', async () => {
    const granted = await waitersFor(4, 'interactive');
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const write = slots.releaseMany.bind(slots);
    jest.spyOn(slots, 'releaseMany').mockImplementation(async (releases) => {
      await write(releases);
      if (slots.releaseWrites.length === 1) await gate;
    });
    granted[0].release(Date.now());
    await flush();
    for (const p of granted.slice(1)) p.release(Date.now());
    await flush();
    expect(slots.releaseWrites).toEqual([1]);
    open();
    await fleet.settle();
    expect(slots.releaseWrites).toEqual([1, 3]);
    expect(slots.liveInflight).toBe(0);
  });

  it('keeps reserves by priority: backfill leaves 3 minute slots, Sync Now may take the last', async () => {
    const backfill: FleetPermit[] = [];
    for (let i = 0; i < 60; i++) {
      const p = fleet.acquire('org', 'backfill', 'master', Date.now() + 2 * MINUTE).then((permit) => {
        backfill.push(permit);
        permit.release(Date.now());
      });
      void p;
    }
    await jest.advanceTimersByTimeAsync(1_000);
    expect(backfill).toHaveLength(57);
    await callOneAfterAnother(3, 'interactive', 'payment');
    await flush();
    expect(backfill).toHaveLength(57);
    // A minute slot frees one Xero minute (+ the clock-skew margin) after its answer.
    await jest.advanceTimersByTimeAsync(MINUTE + 250);
    expect(backfill).toHaveLength(60);
  });

  it('refuses with RATE_LIMITED and the expected wait when the minute is spent past the deadline', async () => {
    await callOneAfterAnother(57, 'backfill', 'master');
    const err = await fleet.acquire('org', 'backfill', 'master', Date.now() + 1_000).catch((e: XeroError) => e);
    expect(err).toMatchObject({ code: 'RATE_LIMITED' });
    expect((err as XeroError).retryAfterMs).toBeGreaterThan(MINUTE - 1_000);
  });

  it("obeys another process's Retry-After and open breaker", async () => {
    await slots.blockUntil('org', new Date(Date.now() + 5_000));
    const granted: FleetPermit[] = [];
    void fleet.acquire('org', 'interactive', 'payment', Date.now() + MINUTE).then((p) => granted.push(p));
    await jest.advanceTimersByTimeAsync(4_999);
    expect(granted).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(20);
    expect(granted).toHaveLength(1);

    await slots.setBreakerOpen('org', new Date(Date.now() + 30_000));
    await expect(fleet.acquire('org', 'interactive', 'payment', Date.now() + MINUTE)).rejects.toMatchObject({
      code: 'CIRCUIT_OPEN',
    });
    expect(fleet.openUntil('org')).toBe(Date.now() + 30_000);
  });

  it('reads again at once after losing a claim race to another process', async () => {
    slots.stolen = 2;
    const permit = await fleet.acquire('org', 'normal', 'invoice', Date.now());
    expect(permit).toBeDefined();
    expect(slots.liveInflight).toBe(1);
  });

  it('claims for the calls waiting together in one insert, each leaving its reserve', async () => {
    const granted = await waitersFor(6, 'normal');
    // Queue work leaves one in-flight slot free; a Sync Now of another process takes it.
    expect(granted).toHaveLength(4);
    expect(slots.claims).toEqual([4]);
    (await fleet.acquire('org', 'interactive', 'payment', Date.now())).release(Date.now());
    for (const p of granted.splice(0)) p.release(Date.now());
    await jest.advanceTimersByTimeAsync(40);
    expect(granted).toHaveLength(2);
    granted.splice(0).forEach((p) => p.release(Date.now()));
    // 4 minute slots left: three Sync Now calls get theirs in one claim; backfill keeps out of the last 3.
    await callOneAfterAnother(49, 'normal', 'invoice');
    slots.claims.splice(0);
    const backfill: FleetPermit[] = [];
    for (let i = 0; i < 3; i++)
      void fleet.acquire('org', 'backfill', 'master', Date.now() + 3 * MINUTE).then((p) => backfill.push(p));
    for (let i = 0; i < 3; i++)
      void fleet.acquire('org', 'interactive', 'payment', Date.now() + MINUTE).then((p) => granted.push(p));
    await flush();
    await jest.advanceTimersByTimeAsync(40);
    expect(granted).toHaveLength(3);
    expect(backfill).toHaveLength(0);
    expect(slots.claims).toContain(3);
    // The backfill gets its slots once minute slots free again.
    granted.forEach((p) => p.release(Date.now()));
    await jest.advanceTimersByTimeAsync(MINUTE + 250);
    expect(backfill).toHaveLength(3);
  });

  it('leaves one in-flight slot to Sync Now and Immediately writes', () => {
    expect(fleetInflightReserve('interactive', 'payment')).toBe(0);
    expect(fleetInflightReserve('interactive', 'read')).toBe(1);
    expect(fleetInflightReserve('normal', 'invoice')).toBe(1);
    expect(fleetInflightReserve('backfill', 'master')).toBe(1);
  });

  it('orders reserves: interactive writes < reads and queue payments < master data < backfill', () => {
    expect(fleetReserve('interactive', 'payment')).toBe(0);
    expect(fleetReserve('interactive', 'read')).toBe(1);
    expect(fleetReserve('normal', 'payment')).toBe(1);
    expect(fleetReserve('normal', 'master')).toBe(2);
    expect(fleetReserve('backfill', 'payment')).toBe(3);
  });
});
