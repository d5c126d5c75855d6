import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import { Connection } from 'mongoose';
import { ConfigModule, loadConfig } from '@xero-sync/config';
import { infra, testMongoUri } from '@xero-sync/testing';
import { DuplicateKeyError } from './persistence.errors';
import { isFerretDb } from './update-where';
import { PersistenceModule } from './persistence.module';
import { PendingChangeModule, PendingChangeRepository } from './pending-changes';
import { StoreModule, StoreRepository } from './stores';
import { flushLeaseModel, FlushLeaseRepository } from './flush-leases';
import { deliveryClaimModel, DeliveryClaimRepository } from './delivery-claims';

// Real FerretDB: the guarantees the product relies on (unique business keys, atomic claims, durability).
describe('persistence on FerretDB', () => {
  let queue: PendingChangeRepository;
  let stores: StoreRepository;
  let connection: Connection;
  let close: () => Promise<void>;
  let app: () => INestApplication;

  beforeAll(async () => {
    const config = loadConfig({}, { MONGODB_URI: testMongoUri(), TOKEN_ENCRYPTION_KEY: '3c'.repeat(32) });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(),
        PendingChangeModule,
        StoreModule,
        PersistenceModule.forFeature([flushLeaseModel, deliveryClaimModel]),
      ],
      providers: [FlushLeaseRepository, DeliveryClaimRepository],
    }).compile();
    const nest = moduleRef.createNestApplication();
    await nest.init();
    app = () => nest;
    queue = nest.get(PendingChangeRepository);
    stores = nest.get(StoreRepository);
    connection = nest.get<Connection>(getConnectionToken());
    await connection.syncIndexes();
    close = async () => {
      await connection.dropDatabase();
      await nest.close();
    };
  });

  afterAll(async () => close());

  const change = (entityId: string, storeId: string) => ({
    storeId,
    entity: 'order',
    entityId,
    rank: 2,
    eventId: `e-${entityId}-${Math.random()}`,
    occurredAt: new Date(),
    payload: { entity_id: Number(entityId), grand_total: 10.5 },
  });

  it('the unique index rejects a duplicate business key with a clear error', async () => {
    await stores.create({ storeId: 'shop-1', name: 'Shop one' });
    await expect(stores.create({ storeId: 'shop-1', name: 'Shop again' })).rejects.toThrow(
      new DuplicateKeyError('stores', { storeId: 'shop-1' }),
    );
    expect(await connection.collection('stores').countDocuments({ storeId: 'shop-1' })).toBe(1);
    // The queue's (store, entity, id) index holds at the collection level too, whatever the code path.
    await queue.saveLatest(change('100', 'shop-1'), { status: 'pending' });
    const raw = { storeId: 'shop-1', entity: 'order', entityId: '100', eventId: 'x', rank: 2 };
    await expect(connection.collection('pending_changes').insertOne(raw)).rejects.toMatchObject({ code: 11000 });
  });

  // FerretDB 1.24 does not serialise concurrent findOneAndUpdate/updateMany on one document (both racers
  // "win"; see docs/architecture.md), so exclusive claims are decided by unique-index inserts (epoch leases).
  it('a lease is won by exactly one of two concurrent claimers, and taken over only after expiry', async () => {
    const leases = app().get(FlushLeaseRepository);
    for (let round = 0; round < 20; round++) {
      const key = `store-race-${round}`;
      const [a, b] = await Promise.all([
        leases.tryAcquire(key, 'syncer-1', 60_000),
        leases.tryAcquire(key, 'syncer-2', 60_000),
      ]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const holder = await leases.holder(key);
      expect(holder?.owner).toBe(a ? 'syncer-1' : 'syncer-2');
    }
    // A crashed owner's lease expires and exactly one contender takes it over.
    const key = 'store-takeover';
    expect(await leases.tryAcquire(key, 'crashed', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    const takers = await Promise.all(['s1', 's2', 's3'].map((o) => leases.tryAcquire(key, o, 60_000)));
    expect(takers.filter(Boolean)).toHaveLength(1);
    expect(await leases.renew(key, 'crashed', 60_000)).toBe(false);
  });

  it('a record is claimed by exactly one of three concurrent deliveries; a lapsed claim is taken over once', async () => {
    const claims = app().get(DeliveryClaimRepository);
    const keys = Array.from({ length: 40 }, (_, i) => ({ storeId: 'shop-c', entity: 'invoice', entityId: `${i}` }));
    const runs = await Promise.all(['run-a', 'run-b', 'run-c'].map((o) => claims.claim(keys, o, 60_000)));
    const holders = new Map<string, number>();
    for (const r of runs) for (const h of r.held) holders.set(h.key.entityId, (holders.get(h.key.entityId) ?? 0) + 1);
    expect(holders.size).toBe(40);
    expect([...holders.values()].every((n) => n === 1)).toBe(true);
    // Everything one run did not get, it was told is busy.
    for (const r of runs) expect(r.held.length + r.busy.length).toBe(40);

    // Released records can be claimed again; a run that was killed (never released) blocks only until expiry.
    await claims.release(runs[0].held.map((h) => h.id));
    const again = await claims.claim(
      runs[0].held.map((h) => h.key),
      'run-d',
      60_000,
    );
    expect(again.held).toHaveLength(runs[0].held.length);

    const one = [{ storeId: 'shop-c', entity: 'creditmemo', entityId: 'lapsing' }];
    const killed = await claims.claim(one, 'killed', 1);
    expect(killed.held).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 20));
    const takers = await Promise.all(['t1', 't2', 't3'].map((o) => claims.claim(one, o, 60_000)));
    expect(takers.filter((t) => t.held.length === 1)).toHaveLength(1);
    // The killed run's late release cannot free its successor's claim.
    await claims.release(killed.held.map((h) => h.id));
    const late = await claims.claim(one, 'late', 60_000);
    expect(late.held).toHaveLength(0);
    expect(late.busy[0].expiresAt!.getTime()).toBeGreaterThan(Date.now());
    const docs = await connection.collection('delivery_claims').find({ key: 'shop-c|creditmemo|lapsing' }).toArray();
    expect(docs.map((d) => d.epoch)).toEqual([2]);
  });

  // Regression: a bulkWrite of ~100 single-document updateOne statements wedged FerretDB v1 for every client
  // (each statement keeps an SQLite connection until the command ends). A flush batch is 500 items by default.
  it('records the outcome of a 120-item flush batch in one call, and the server stays responsive', async () => {
    for (let i = 0; i < 120; i++) await queue.saveLatest(change(String(5000 + i), 'shop-big'), { status: 'pending' });
    const batch = await queue.claimDue('shop-big', 'flusher', 120, 60_000);
    expect(batch.items).toHaveLength(120);
    const done = await queue.completeClaimed(
      batch.claimToken,
      batch.items.map((i) => ({ id: i.id, state: { status: 'synced' as const, attempts: 1, syncedAt: new Date() } })),
    );
    expect(done).toBe(120);
    expect(
      await connection.collection('pending_changes').countDocuments({ storeId: 'shop-big', status: 'synced' }),
    ).toBe(120);
  });

  // FerretDB v1 scans the whole collection for any filter but a lone `_id`, so conditional updates read by _id and
  // check the condition in the app (update-where.ts); the conditions must hold exactly as MongoDB would apply them.
  it('a flusher never marks content saved after its claim as synced; older and repeated events are refused', async () => {
    expect(await isFerretDb(connection)).toBe(true);
    const first = change('9100', 'shop-cas');
    await queue.saveLatest(first, { status: 'pending' });
    const batch = await queue.claimDue('shop-cas', 'flusher', 10, 60_000);
    expect(batch.items.map((i) => i.eventId)).toEqual([first.eventId]);
    expect(await queue.claimDue('shop-cas', 'other', 10, 60_000)).toMatchObject({ items: [] });

    const newer = { ...change('9100', 'shop-cas'), occurredAt: new Date(first.occurredAt.getTime() + 1000) };
    expect(await queue.saveLatest(newer, { status: 'pending' })).toBe('saved');
    expect(await queue.saveLatest(newer, { status: 'pending' })).toBe('duplicate');
    expect(await queue.saveLatest({ ...first, eventId: 'older' }, { status: 'pending' })).toBe('stale');
    const done = await queue.completeClaimed(batch.claimToken, [
      { id: batch.items[0].id, state: { status: 'synced', attempts: 1, syncedAt: new Date() } },
    ]);
    expect(done).toBe(0);
    const stored = await connection.collection('pending_changes').findOne({ storeId: 'shop-cas' });
    expect(stored).toMatchObject({ eventId: newer.eventId, status: 'pending' });
    expect(stored?.claimToken).toBeUndefined();
  });

  it('an out-of-band attempt started from "waiting" does not overwrite what a flusher recorded meanwhile', async () => {
    const c = change('9200', 'shop-wake');
    await queue.saveLatest(c, { status: 'waiting', attempts: 1, waitingOn: 'order not in Xero yet' });
    const parked = (await queue.findByKey('shop-wake', 'order', '9200'))!;
    const failed = { status: 'failed' as const, attempts: 2, lastError: 'a late answer' };
    // A flusher synced it after the wake-up read it: the wake-up's outcome is dropped.
    const pending = connection.collection<{ _id: string }>('pending_changes');
    await pending.updateOne({ _id: parked.id }, { $set: { status: 'synced', attempts: 2 } });
    expect(await queue.recordAttemptIfUnchanged(parked.id, parked.eventId, failed, 'waiting')).toBe(false);
    expect(await queue.findByKey('shop-wake', 'order', '9200')).toMatchObject({ status: 'synced' });
    // Still waiting: written.
    await pending.updateOne({ _id: parked.id }, { $set: { status: 'waiting', attempts: 1 } });
    expect(await queue.recordAttemptIfUnchanged(parked.id, parked.eventId, failed, 'waiting')).toBe(true);
    expect(await queue.findByKey('shop-wake', 'order', '9200')).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('keeps its data across a FerretDB restart', async () => {
    await queue.saveLatest(change('777', 'shop-durable'), { status: 'pending' });
    infra('stop-ferretdb');
    try {
      await expect(queue.findByKey('shop-durable', 'order', '777')).rejects.toThrow();
    } finally {
      infra('start-ferretdb');
    }
    let found = null;
    for (let i = 0; i < 100 && !found; i++) {
      found = await queue.findByKey('shop-durable', 'order', '777').catch(() => null);
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
    expect(found?.payload).toEqual({ entity_id: 777, grand_total: 10.5 });
  });
});
