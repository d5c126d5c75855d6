import mongoose, { Connection } from 'mongoose';
import { testMongoUri } from '@xero-sync/testing';
import { isFerretDb } from '../update-where';
import { HeldLease, leaseKeys, LeaseRepository } from './lease.repository';
import { Lease, LeaseSchema } from './lease.schema';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The one lease primitive on real FerretDB, whose concurrent conditional updates are not serialised (see
// docs/architecture.md): exclusivity must come from the epoch insert alone. Each "instance" has its own connection.
describe('LeaseRepository on FerretDB', () => {
  const uri = testMongoUri();
  let conns: Connection[];
  let repos: LeaseRepository[];
  let leases: LeaseRepository;
  const commands: string[] = [];

  beforeAll(async () => {
    conns = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        mongoose.createConnection(uri, { maxPoolSize: 8, monitorCommands: i === 0 }).asPromise(),
      ),
    );
    conns[0].getClient().on('commandStarted', (e) => commands.push(e.commandName));
    repos = conns.map((c) => new LeaseRepository(c.model(Lease.name, LeaseSchema)));
    leases = repos[0];
    await conns[0].model(Lease.name).syncIndexes();
  });
  afterAll(async () => {
    await conns[0].dropDatabase();
    await Promise.all(conns.map((c) => c.close()));
  });

  const docsOf = (key: string) => conns[0].collection<Lease>('leases').find({ key }).sort({ epoch: 1 }).toArray();

  it('runs on FerretDB', async () => {
    expect(await isFerretDb(conns[0])).toBe(true);
  });

  it('acquires, renews, tells the holder and releases; the same owner re-enters its own lease', async () => {
    const key = leaseKeys.flush('org:basic');
    const lease = (await leases.acquire(key, 'syncer-1', 60_000))!;
    expect(lease).toMatchObject({ key, epoch: 1, owner: 'syncer-1' });
    expect(await leases.holder(key)).toMatchObject({ owner: 'syncer-1', epoch: 1 });
    expect(await repos[1].acquire(key, 'syncer-2', 60_000)).toBeNull();
    // A busy key tells its holder's expiry (as stored), so a contender can wait until then without asking.
    const busy = await repos[1].tryAcquire(key, 'syncer-2', 60_000);
    expect(busy).toEqual({ busyUntil: lease.expiresAt });

    const renewed = (await leases.renew(lease, 120_000))!;
    expect(renewed.epoch).toBe(1);
    expect(renewed.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt.getTime());
    const again = (await repos[1].acquire(key, 'syncer-1', 60_000))!;
    expect(again).toMatchObject({ epoch: 1, owner: 'syncer-1' });

    await leases.release(renewed);
    expect(await leases.holder(key)).toBeNull();
    expect(await leases.renew(renewed, 60_000)).toBeNull();
    expect(await repos[1].acquire(key, 'syncer-2', 60_000)).toMatchObject({ owner: 'syncer-2' });
  });

  it('an expired lease is taken over by exactly one contender; the old holder is fenced off by its epoch', async () => {
    for (let round = 0; round < 10; round++) {
      const key = leaseKeys.token(`conn-${round}`);
      const crashed = (await leases.acquire(key, 'crashed', 30))!;
      await sleep(60);
      // Not renewable once expired: a contender may be inserting the next epoch right now.
      expect(await leases.renew(crashed, 60_000)).toBeNull();
      const takers = await Promise.all(repos.slice(1).map((r, i) => r.acquire(key, `taker-${i}`, 60_000)));
      const winners = takers.filter((t): t is HeldLease => t !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0].epoch).toBe(crashed.epoch + 1);

      // The old holder's late renew and release fail and leave the new holder alone.
      expect(await leases.renew({ ...crashed, expiresAt: new Date(Date.now() + 60_000) }, 60_000)).toBeNull();
      await leases.release(crashed);
      expect(await leases.holder(key)).toMatchObject({ owner: winners[0].owner, epoch: winners[0].epoch });
      expect(await repos[1].renew(winners[0], 60_000)).toMatchObject({ owner: winners[0].owner });
      // Stale clean-up: the superseded epoch is gone, only the holder's remains.
      expect((await docsOf(key)).map((d) => d.epoch)).toEqual([winners[0].epoch]);
    }
  });

  it('a holder whose lease lapsed unnoticed cannot renew it after a takeover, even one already released', async () => {
    const key = leaseKeys.backfill('job-lapsed');
    const slow = (await leases.acquire(key, 'slow-worker', 30))!;
    await sleep(60);
    const next = (await repos[2].acquire(key, 'next-worker', 60_000))!;
    expect(await leases.renew(slow, 60_000)).toBeNull();
    await repos[2].release(next);
    expect(await leases.renew(slow, 60_000)).toBeNull();
    expect(await leases.holder(key)).toBeNull();
  });

  it('deleteExpired removes lapsed leases under a prefix and nothing else', async () => {
    const lapsed = (await leases.acquire(leaseKeys.record('shop-x', 'order', '1'), 'killed-run', 10))!;
    const live = (await leases.acquire(leaseKeys.record('shop-x', 'order', '2'), 'live-run', 60_000))!;
    const other = (await leases.acquire(leaseKeys.token('lapsed-connection'), 'killed', 10))!;
    await sleep(30);
    expect(await leases.deleteExpired('record:shop-x:', new Date())).toBe(1);
    expect(await docsOf(lapsed.key)).toEqual([]);
    expect(await leases.holder(live.key)).toMatchObject({ owner: 'live-run' });
    expect(await docsOf(other.key)).toHaveLength(1);
    expect(await leases.renew(lapsed, 60_000)).toBeNull();
  });

  it('claims a batch: busy keys are reported with their expiry, released keys can be claimed again', async () => {
    const keys = Array.from({ length: 10 }, (_, i) => leaseKeys.record('shop-b', 'invoice', `${i}`));
    const other = (await repos[1].acquire(keys[3], 'other-delivery', 60_000))!;
    commands.length = 0;
    const batch = await leases.acquireMany([...keys, keys[0]], 'run-a', 60_000);
    await leases.releaseMany(batch.held);
    // One read, one insert, one release (nothing lapsed to clean up): no more than the old delivery claims.
    expect(commands).toEqual(['find', 'insert', 'delete']);
    expect(batch.held.map((l) => l.key).sort()).toEqual(keys.filter((k) => k !== keys[3]).sort());
    expect(batch.busy).toEqual([{ key: keys[3], expiresAt: other.expiresAt }]);

    const again = await repos[2].acquireMany(keys, 'run-b', 60_000);
    expect(again.held).toHaveLength(9);
    expect(again.held.every((l) => l.owner === 'run-b')).toBe(true);
  });

  it('a killed run blocks its records until expiry; exactly one run takes each over; its late release frees nothing', async () => {
    const keys = Array.from({ length: 5 }, (_, i) => leaseKeys.record('shop-k', 'creditmemo', `${i}`));
    const killed = await leases.acquireMany(keys, 'killed-run', 1000);
    expect(killed.held).toHaveLength(5);
    expect((await repos[1].acquireMany(keys, 'early-run', 60_000)).held).toEqual([]);
    await sleep(1100);
    const takers = await Promise.all(repos.slice(1).map((r, i) => r.acquireMany(keys, `taker-${i}`, 60_000)));
    const holders = takers.flatMap((t) => t.held.map((l) => l.key)).sort();
    expect(holders).toEqual([...keys].sort());
    for (const t of takers) expect(t.held.length + t.busy.length).toBe(5);

    await leases.releaseMany(killed.held);
    const late = await leases.acquireMany(keys, 'late-run', 60_000);
    expect(late.held).toEqual([]);
    expect(late.busy.every((b) => b.expiresAt!.getTime() > Date.now())).toBe(true);
    for (const key of keys) expect((await docsOf(key)).map((d) => d.epoch)).toEqual([2]);
  });

  it('five claimers racing over 60 keys on separate connections: every key is held by exactly one', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => leaseKeys.flush(`org:race-${i}`));
    const owners = repos.map((_, i) => `claimer-${i}`);
    // One key at a time, every claimer on every key at once.
    const single = await Promise.all(
      repos.map((r, i) => Promise.all(keys.map((k) => r.acquire(k, owners[i], 60_000)))),
    );
    for (let k = 0; k < keys.length; k++) {
      expect(single.map((byKey) => byKey[k]).filter(Boolean)).toHaveLength(1);
    }
    // Sixty keys whose holder crashed, raced as batches (delivery claims' shape): takeover contention.
    const lapsed = keys.map((k) => `${k}:batch`);
    await leases.acquireMany(lapsed, 'crashed-run', 20);
    await sleep(50);
    const batches = await Promise.all(repos.map((r, i) => r.acquireMany(lapsed, owners[i], 60_000)));
    const count = new Map<string, number>();
    for (const b of batches) for (const l of b.held) count.set(l.key, (count.get(l.key) ?? 0) + 1);
    expect(count.size).toBe(60);
    expect([...count.values()].every((n) => n === 1)).toBe(true);
    for (const key of lapsed) {
      const holder = await leases.holder(key);
      expect(batches.filter((b) => b.held.some((l) => l.key === key)).map((b) => b.held[0].owner)).toEqual([
        holder!.owner,
      ]);
    }
  });
});
