import mongoose, { Connection } from 'mongoose';
import { testMongoUri } from '@xero-sync/testing';
import { BudgetSlotRepository, HeldBudgetSlots } from './budget-slot.repository';
import { BudgetSlot, BudgetSlotSchema } from './budget-slot.schema';

const LIMITS = { inflight: 5, minute: 60 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Five "processes" (one connection each) claiming one org's slots on real FerretDB, whose concurrent
// conditional updates are not serialised: only the unique insert may decide who holds a slot.
describe('BudgetSlotRepository on FerretDB', () => {
  const uri = testMongoUri();
  let conns: Connection[];
  let repos: BudgetSlotRepository[];

  beforeAll(async () => {
    conns = await Promise.all(
      [0, 1, 2, 3, 4].map(() => mongoose.createConnection(uri, { maxPoolSize: 8 }).asPromise()),
    );
    repos = conns.map((c) => new BudgetSlotRepository(c.model(BudgetSlot.name, BudgetSlotSchema)));
    await conns[0].model(BudgetSlot.name).syncIndexes();
  });
  afterAll(async () => {
    await conns[0].dropDatabase();
    await Promise.all(conns.map((c) => c.close()));
  });

  /** One claim attempt of a process: a view, then the insert of a random free pair. */
  async function tryClaim(repo: BudgetSlotRepository, org: string, owner: string, minuteMs: number) {
    const v = await repo.view(org, LIMITS);
    if (v.freeInflight.length === 0 || v.freeMinute.length === 0) return null;
    const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
    const now = Date.now();
    return repo.claim(
      org,
      owner,
      pick(v.freeInflight),
      pick(v.freeMinute),
      new Date(now + 10_000),
      new Date(now + minuteMs),
    );
  }

  /**
   * What the racing processes hold: each in-flight slot by at most one at a time, each minute slot by one ever.
   * `check` then holds the repository's view to it once every hold was released.
   */
  function slotLedger() {
    const live = new Set<string>();
    const minuteHolders = new Map<string, number>();
    const ledger = {
      granted: 0,
      maxLive: 0,
      take(held: HeldBudgetSlots): void {
        const slot = held.inflightId.split('#')[0];
        expect(live.has(slot)).toBe(false);
        live.add(slot);
        const minuteSlot = held.minuteId.split('#')[0];
        minuteHolders.set(minuteSlot, (minuteHolders.get(minuteSlot) ?? 0) + 1);
        ledger.granted++;
        ledger.maxLive = Math.max(ledger.maxLive, live.size);
      },
      async give(repo: BudgetSlotRepository, held: HeldBudgetSlots): Promise<void> {
        live.delete(held.inflightId.split('#')[0]);
        await repo.release(held, new Date(Date.now() + 60_000));
      },
      async check(org: string): Promise<void> {
        expect(ledger.maxLive).toBeLessThanOrEqual(5);
        expect(ledger.granted).toBeLessThanOrEqual(60);
        expect([...minuteHolders.values()].every((n) => n === 1)).toBe(true);
        // What a loser got of a pair was given back: every in-flight slot is free, and only the granted minutes busy.
        const v = await repos[0].view(org, LIMITS);
        expect(v.freeInflight).toHaveLength(5);
        expect(v.freeMinute).toHaveLength(60 - ledger.granted);
      },
    };
    return ledger;
  }

  it('five processes racing: never more than 5 held at once, and each minute slot has one holder', async () => {
    const org = 'org-race';
    const ledger = slotLedger();
    await Promise.all(
      repos.map(async (repo, p) => {
        for (let i = 0; i < 40; i++) {
          const held: HeldBudgetSlots | null = await tryClaim(repo, org, `p${p}`, 60_000);
          if (!held) continue;
          ledger.take(held);
          await sleep(5);
          await ledger.give(repo, held);
        }
      }),
    );
    expect(ledger.granted).toBeGreaterThan(0);
    await ledger.check(org);
  });

  it('five processes claiming several pairs per insert: each slot has one holder, never more than 5 in flight', async () => {
    const org = 'org-race-many';
    const ledger = slotLedger();
    const shuffled = <T>(xs: T[]) => [...xs].sort(() => Math.random() - 0.5);
    await Promise.all(
      repos.map(async (repo, p) => {
        for (let i = 0; i < 20; i++) {
          const v = await repo.view(org, LIMITS);
          const inflight = shuffled(v.freeInflight);
          const minute = shuffled(v.freeMinute);
          const k = Math.min(3, inflight.length, minute.length);
          if (k === 0) continue;
          const now = Date.now();
          const pairs = Array.from({ length: k }, (_, j) => ({ inflight: inflight[j], minute: minute[j] }));
          const held = (
            await repo.claimPairs(org, `p${p}`, pairs, new Date(now + 10_000), new Date(now + 60_000))
          ).filter((h): h is HeldBudgetSlots => h !== null);
          for (const h of held) ledger.take(h);
          await sleep(5);
          for (const h of held) await ledger.give(repo, h);
        }
      }),
    );
    expect(ledger.maxLive).toBeGreaterThan(1);
    await ledger.check(org);
  });

  it('a holder that never releases (killed) blocks its slots only until they expire', async () => {
    const org = 'org-killed';
    const v = await repos[0].view(org, LIMITS);
    const now = Date.now();
    const held = (await repos[0].claim(
      org,
      'killed',
      v.freeInflight[0],
      v.freeMinute[0],
      new Date(now + 300),
      new Date(now + 600),
    ))!;
    expect(held).not.toBeNull();
    const during = await repos[1].view(org, LIMITS);
    expect(during.freeInflight).toHaveLength(4);
    expect(during.freeMinute).toHaveLength(59);
    expect(during.minuteFreesAt).toHaveLength(1);
    await sleep(650);
    const after = await repos[1].view(org, LIMITS);
    expect(after.freeInflight).toHaveLength(5);
    expect(after.freeMinute).toHaveLength(60);
    // Exactly one of the contenders takes the lapsed slot's next epoch.
    const takers = await Promise.all(
      repos
        .slice(1)
        .map((r, i) =>
          r.claim(
            org,
            `taker-${i}`,
            after.freeInflight[0],
            after.freeMinute[0],
            new Date(Date.now() + 1000),
            new Date(Date.now() + 1000),
          ),
        ),
    );
    expect(takers.filter(Boolean)).toHaveLength(1);
    // The losers gave back what they got of the pair: all but the winner's in-flight slot is free.
    expect((await repos[0].view(org, LIMITS)).freeInflight).toHaveLength(4);
  });

  it('shares Retry-After and an open breaker with every process', async () => {
    const org = 'org-state';
    const until = new Date(Date.now() + 5_000);
    await repos[0].blockUntil(org, until);
    await repos[1].blockUntil(org, new Date(Date.now() + 1_000));
    expect((await repos[2].view(org, LIMITS)).retryAfterUntil).toEqual(until);
    await repos[3].setBreakerOpen(org, until);
    expect((await repos[4].view(org, LIMITS)).breakerOpenUntil).toEqual(until);
    expect(await repos[4].openBreakers()).toEqual({ [org]: until });
    await repos[3].setBreakerOpen(org, null);
    expect(await repos[4].openBreakers()).toEqual({});
  });
});
