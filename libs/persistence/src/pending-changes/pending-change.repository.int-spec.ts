import mongoose, { Connection } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { testMongoUri } from '@xero-sync/testing';
import { FlushLease, FlushLeaseSchema } from '../flush-leases/flush-lease.schema';
import { FlushLeaseRepository } from '../flush-leases/flush-lease.repository';
import { PendingChange, PendingChangeSchema } from './pending-change.schema';
import { NewPendingChange, PendingChangeRepository } from './pending-change.repository';

// Real FerretDB: the queue's coalescing and claim guarantees the syncer's zero-loss/no-duplicate story rests on.
describe('PendingChangeRepository and FlushLeaseRepository on FerretDB', () => {
  let conn: Connection;
  let queue: PendingChangeRepository;
  let leases: FlushLeaseRepository;

  beforeAll(async () => {
    conn = await mongoose.createConnection(testMongoUri()).asPromise();
    const queueModel = conn.model(PendingChange.name, PendingChangeSchema);
    const leaseModel = conn.model(FlushLease.name, FlushLeaseSchema);
    await queueModel.init();
    queue = new PendingChangeRepository(queueModel as never);
    leases = new FlushLeaseRepository(leaseModel as never);
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  const change = (
    storeId: string,
    entityId: string,
    at: number,
    extra: Partial<NewPendingChange> = {},
  ): NewPendingChange => ({
    storeId,
    entity: 'order',
    entityId,
    rank: 1,
    eventId: randomUUID(),
    occurredAt: new Date(Date.UTC(2026, 0, 1) + at * 1000),
    payload: { entity_id: Number(entityId), grand_total: at },
    ...extra,
  });
  const pending = { status: 'pending' as const };

  it('keeps only the newest content per record, whatever order the updates arrive in', async () => {
    const updates = Array.from({ length: 10 }, (_, i) => change('s-coalesce', '100', i));
    const shuffled = [...updates].sort(() => Math.random() - 0.5);
    const outcomes = [];
    for (const u of shuffled) outcomes.push(await queue.saveLatest(u, pending));
    const stored = await queue.findByKey('s-coalesce', 'order', '100');
    expect(stored?.payload).toEqual({ entity_id: 100, grand_total: 9 });
    expect(stored?.eventId).toBe(updates[9].eventId);
    expect(await queue.countByStore('s-coalesce')).toBe(1);
    expect(outcomes.filter((o) => o === 'stale').length).toBeGreaterThan(0);
  });

  it('recognises a redelivered event and never lets an older event overwrite newer content', async () => {
    const newer = change('s-order', '7', 50);
    const older = change('s-order', '7', 10);
    expect(await queue.saveLatest(newer, pending)).toBe('saved');
    expect(await queue.saveLatest(newer, pending)).toBe('duplicate');
    expect(await queue.saveLatest(older, pending)).toBe('stale');
    expect((await queue.findByKey('s-order', 'order', '7'))?.eventId).toBe(newer.eventId);
  });

  // Claims of one store are made under its org's flush lease (one flusher at a time), so claimers take turns.
  it('hands each due item to exactly one claim, lowest dependency rank first', async () => {
    for (let i = 0; i < 30; i++) await queue.saveLatest(change('s-claim', String(1000 + i), i), pending);
    await queue.saveLatest(change('s-claim', '5', 99, { entity: 'customer', rank: 0 }), pending);
    const batches = [];
    for (const owner of ['a', 'b', 'c']) batches.push(await queue.claimDue('s-claim', owner, 12, 60000));
    const ids = batches.flatMap((b) => b.items.map((i) => i.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(31);
    const first = batches.find((b) => b.items.some((i) => i.entity === 'customer'))!;
    expect(first.items[0].entity).toBe('customer');
    expect((await queue.claimDue('s-claim', 'd', 100, 60000)).items).toHaveLength(0);
  });

  it("makes a crashed claimer's items claimable again once its claim expires", async () => {
    await queue.saveLatest(change('s-crash', '1', 1), pending);
    const crashed = await queue.claimDue('s-crash', 'dead', 10, 200);
    expect(crashed.items).toHaveLength(1);
    expect((await queue.claimDue('s-crash', 'other', 10, 60000)).items).toHaveLength(0);
    expect(await queue.storesWithDueItems()).not.toContain('s-crash');
    await new Promise((r) => setTimeout(r, 300));
    expect(await queue.storesWithDueItems()).toContain('s-crash');
    const taken = await queue.claimDue('s-crash', 'other', 10, 60000);
    expect(taken.items.map((i) => i.id)).toEqual(crashed.items.map((i) => i.id));
    // The crashed claimer's late completion must not count: its claim is gone.
    expect(
      await queue.completeClaimed(crashed.claimToken, [{ id: crashed.items[0].id, state: { status: 'synced' } }]),
    ).toBe(0);
    expect(
      await queue.completeClaimed(taken.claimToken, [{ id: taken.items[0].id, state: { status: 'synced' } }]),
    ).toBe(1);
  });

  it('does not mark newer content synced when it replaced a claimed item mid-delivery', async () => {
    await queue.saveLatest(change('s-mid', '1', 1), pending);
    const batch = await queue.claimDue('s-mid', 'a', 10, 60000);
    const newer = change('s-mid', '1', 2);
    expect(await queue.saveLatest(newer, pending)).toBe('saved');
    expect(
      await queue.completeClaimed(batch.claimToken, [{ id: batch.items[0].id, state: { status: 'synced' } }]),
    ).toBe(0);
    const stored = await queue.findByKey('s-mid', 'order', '1');
    expect(stored?.status).toBe('pending');
    expect(stored?.eventId).toBe(newer.eventId);
  });

  it('backs off, fails and resets items for "Retry failed"', async () => {
    await queue.saveLatest(change('s-retry', '1', 1), {
      status: 'failed',
      attempts: 1,
      lastError: 'Account code 999 is not valid',
    });
    await queue.saveLatest(change('s-retry', '2', 1), {
      status: 'pending',
      attempts: 2,
      nextAttemptAt: new Date(Date.now() + 3600000),
    });
    expect(await queue.storesWithDueItems()).not.toContain('s-retry');
    expect(await queue.countByStatus('s-retry')).toMatchObject({ failed: 1, pending: 1 });
    expect(await queue.resetFailed('s-retry')).toBe(1);
    expect(await queue.makeDueNow('s-retry')).toBe(2);
    const batch = await queue.claimDue('s-retry', 'a', 10, 60000);
    expect(batch.items.map((i) => [i.entityId, i.attempts]).sort()).toEqual([
      ['1', 0],
      ['2', 2],
    ]);
  });

  it('gives a flush lease to exactly one of several concurrent owners, also on every takeover after expiry', async () => {
    const key = `org:${randomUUID()}`;
    const owners = ['a', 'b', 'c', 'd', 'e', 'f'];
    let previous: string | undefined;
    for (let round = 0; round < 6; round++) {
      const won = await Promise.all(owners.map((o) => leases.tryAcquire(key, o, 250)));
      expect(won.filter(Boolean)).toHaveLength(round === 0 ? 1 : previous ? 1 : 0);
      const owner = owners[won.indexOf(true)];
      expect(await leases.renew(key, owner, 250)).toBe(true);
      expect(await leases.tryAcquire(key, owner === 'a' ? 'b' : 'a', 250)).toBe(false);
      if (previous && previous !== owner) expect(await leases.renew(key, previous, 250)).toBe(false);
      previous = owner;
      await new Promise((r) => setTimeout(r, 300));
    }
    await leases.release(key, previous!);
    expect(await leases.holder(key)).toBeNull();
    expect(await leases.tryAcquire(key, 'z', 60000)).toBe(true);
    expect((await leases.holder(key))?.owner).toBe('z');
  });

  it('keeps a Sync Now request that arrived during a flush', async () => {
    const t0 = new Date();
    await leases.scheduleOf('s-sched', t0);
    await leases.requestFlush('s-sched', new Date(t0.getTime() + 10));
    await leases.markFlushed('s-sched', t0);
    expect(await leases.storesWithFlushRequests()).toContain('s-sched');
    await leases.markFlushed('s-sched', new Date(t0.getTime() + 20));
    expect(await leases.storesWithFlushRequests()).not.toContain('s-sched');
    expect((await leases.scheduleOf('s-sched')).lastFlushAt).toBeInstanceOf(Date);
  });
});
