import mongoose, { Connection, Model } from 'mongoose';
import { testMongoUri } from '@xero-sync/testing';
import { idFiltersIndexed } from '../update-where';
import { NewPendingChange } from './pending-change.record';
import { PendingChangeRepository } from './pending-change.repository';
import { DependencyWait, DependencyWaitSchema, PendingChange, PendingChangeSchema } from './pending-change.schema';
import { RecordCopy, RecordCopySchema } from './record-copy.schema';

// Cron Job intake of many events at once on FerretDB (built with the `_id` pushdown by scripts/infra.sh): the same
// outcomes as one event at a time, in three commands for the whole batch.
describe('PendingChangeRepository.saveLatestMany on FerretDB', () => {
  let conn: Connection;
  let model: Model<PendingChange>;
  let copies: Model<RecordCopy>;
  let repo: PendingChangeRepository;
  const commands: string[] = [];
  const pending = { status: 'pending' as const, nextAttemptAt: new Date(0) };
  const synced = (xeroId: string) => ({ status: 'synced' as const, attempts: 1, syncedAt: new Date(), xeroId });

  beforeAll(async () => {
    conn = await mongoose.createConnection(testMongoUri(), { monitorCommands: true }).asPromise();
    model = conn.model(PendingChange.name, PendingChangeSchema);
    copies = conn.model(RecordCopy.name, RecordCopySchema);
    await Promise.all([model.init(), copies.init()]);
    repo = new PendingChangeRepository(model, conn.model(DependencyWait.name, DependencyWaitSchema), copies);
    conn.getClient().on('commandStarted', (e) => commands.push(`${e.commandName} ${String(e.command[e.commandName])}`));
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  const change = (
    storeId: string,
    entityId: string,
    at: string,
    eventId = `e-${entityId}-${at}`,
  ): NewPendingChange => ({
    storeId,
    entity: 'order',
    entityId,
    rank: 2,
    eventId,
    occurredAt: new Date(at),
    payload: { entity_id: Number(entityId), at },
    correlationId: `c-${entityId}`,
  });

  it('saves new, newer and repeated events like one at a time: new and newer stored, redeliveries and older content dropped', async () => {
    const store = 'shop-intake';
    // Held before: an open item (7), a synced copy (8) and an open item replaced by newer content (9).
    await repo.saveLatest(change(store, '7', '2026-01-01T10:00:00Z'), pending);
    await repo.saveLatest(change(store, '9', '2026-01-01T10:00:00Z'), pending);
    await repo.saveLatest(change(store, '8', '2026-01-01T10:00:00Z'), synced('x-8'));
    await repo.saveLatest(change(store, '10', '2026-01-01T10:00:00Z'), synced('x-10'));
    const fresh = Array.from({ length: 100 }, (_, i) => change(store, String(100 + i), '2026-01-01T11:00:00Z'));
    const batch = [
      ...fresh,
      change(store, '7', '2026-01-01T10:00:00Z'), // the held event again
      change(store, '7', '2026-01-01T09:00:00Z', 'older-7'), // older than the open item
      change(store, '8', '2026-01-01T10:00:00Z'), // the synced copy's event again
      change(store, '8', '2026-01-01T09:30:00Z', 'older-8'), // older than the copy
      change(store, '9', '2026-01-01T12:00:00Z', 'newer-9'), // newer than the open item
      change(store, '10', '2026-01-01T12:00:00Z', 'newer-10'), // newer than the synced copy: open again
    ];
    expect(await idFiltersIndexed(conn, model.collection.collectionName)).toBe(true);
    commands.length = 0;
    const outcomes = await repo.saveLatestMany(batch, pending);
    expect(outcomes).toEqual([
      ...fresh.map(() => 'saved'),
      'duplicate',
      'stale',
      'duplicate',
      'stale',
      'saved',
      'saved',
    ]);
    // Two rounds (records 7 and 8 appear twice): each one read of the queue and one of the copies; the first
    // inserts the records the queue did not hold and replaces the one it held with newer content (9).
    expect(commands).toEqual([
      'find pending_changes',
      'find record_copies',
      'insert pending_changes',
      'update pending_changes',
      'find pending_changes',
      'find record_copies',
    ]);
    const stored = await model.find({ storeId: store }).lean().exec();
    expect(stored).toHaveLength(103);
    expect(stored.find((d) => d.entityId === '10')).toMatchObject({ eventId: 'newer-10', status: 'pending' });
    const nine = stored.find((d) => d.entityId === '9')!;
    expect(nine).toMatchObject({ eventId: 'newer-9', status: 'pending', attempts: 0, correlationId: 'c-9' });
    expect(JSON.parse(nine.payload)).toEqual({ entity_id: 9, at: '2026-01-01T12:00:00Z' });
    const first = stored.find((d) => d.entityId === '100')!;
    expect(first).toMatchObject({ rank: 2, status: 'pending', nextAttemptAt: new Date(0) });
    expect((first as { createdAt?: unknown }).createdAt).toBeInstanceOf(Date);
    expect(await copies.countDocuments({ storeId: store })).toBe(2);
  });

  it('a racer storing newer content between the read and the write wins, and the rest of the batch is stored', async () => {
    const store = 'shop-intake-race';
    const mine = change(store, '1', '2026-01-01T10:00:00Z');
    const other = change(store, '2', '2026-01-01T10:00:00Z');
    // The racer writes while the batch reads (on the copies' read, a command of the batch's own).
    let racer: Promise<unknown> | undefined;
    const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
      if (!racer && e.commandName === 'find' && e.command.find === 'record_copies')
        racer = repo.saveLatest(change(store, '1', '2026-01-01T11:00:00Z', 'racer'), pending);
    };
    conn.getClient().on('commandStarted', listener);
    let outcomes;
    try {
      outcomes = await repo.saveLatestMany([mine, other], pending);
    } finally {
      conn.getClient().off('commandStarted', listener);
    }
    expect(await racer).toBe('saved');
    // The racer's write is sent while the batch reads, so it normally lands first and the batch's statement for
    // record 1 is refused ('stale'); landing after it, it replaces the batch's ('saved'). Either way the newer
    // content wins and the statement after it is applied (FerretDB v1 ends an unordered update at an error).
    expect(['stale', 'saved']).toContain(outcomes[0]);
    expect(outcomes[1]).toBe('saved');
    const one = await model.findById(`${store}|order|1`).lean().exec();
    expect(one?.eventId).toBe('racer');
    expect((await model.findById(`${store}|order|2`).lean().exec())?.eventId).toBe(other.eventId);
  });

  it('parks a change whose awaited record is neither queued, copied nor in the batch, in the same commands', async () => {
    const store = 'shop-arrival';
    const invoice = (id: string): NewPendingChange => ({
      ...change(store, id, '2026-01-01T10:00:00Z'),
      entity: 'invoice',
      rank: 3,
    });
    const orderKey = (id: string) => `${store}|order|${id}`;
    // Order 1 open in the queue, order 2 synced (a copy), order 3 in the batch itself, order 4 nowhere.
    await repo.saveLatest(change(store, '1', '2026-01-01T09:00:00Z'), pending);
    await repo.saveLatest(change(store, '2', '2026-01-01T09:00:00Z'), synced('x-2'));
    const until = new Date('2030-01-01T00:00:00Z');
    const parked = (awaited: string) => ({
      awaitedId: orderKey(awaited),
      parked: {
        status: 'waiting' as const,
        attempts: 0,
        waitingOn: `waiting for order ${awaited} to arrive from the store`,
        waitingFor: orderKey(awaited),
        waitingSince: new Date('2026-01-01T10:00:01Z'),
        nextAttemptAt: until,
      },
    });
    const batch = [
      invoice('11'),
      invoice('12'),
      invoice('13'),
      change(store, '3', '2026-01-01T09:00:00Z'),
      invoice('14'),
      invoice('15'),
    ];
    commands.length = 0;
    const outcomes = await repo.saveLatestMany(batch, pending, [
      parked('1'),
      parked('2'),
      parked('3'),
      undefined,
      parked('4'),
      parked('4'),
    ]);
    expect(outcomes).toEqual(['saved', 'saved', 'saved', 'saved', 'parked', 'parked']);
    // The awaited records are read with the batch's own: no command more than an intake without waits.
    expect(commands).toEqual(['find pending_changes', 'find record_copies', 'insert pending_changes']);
    const stored = new Map(
      (await model.find({ storeId: store, entity: 'invoice' }).lean().exec()).map((d) => [d.entityId, d]),
    );
    for (const id of ['11', '12', '13'])
      expect(stored.get(id)).toMatchObject({ status: 'pending', nextAttemptAt: new Date(0) });
    for (const id of ['14', '15'])
      expect(stored.get(id)).toMatchObject({
        status: 'waiting',
        attempts: 0,
        waitingFor: orderKey('4'),
        waitingOn: 'waiting for order 4 to arrive from the store',
        nextAttemptAt: until,
      });
    // Newer content of a parked record, its order still missing: replaced (an upsert), parked again.
    commands.length = 0;
    const newer = { ...invoice('14'), eventId: 'newer-14', occurredAt: new Date('2026-01-01T11:00:00Z') };
    expect(await repo.saveLatestMany([newer], pending, [parked('4')])).toEqual(['parked']);
    expect(commands).toEqual(['find pending_changes', 'find record_copies', 'update pending_changes']);
    expect(await model.findById(`${store}|invoice|14`).lean().exec()).toMatchObject({
      eventId: 'newer-14',
      status: 'waiting',
    });
    // Once the order is copied (synced), it is no longer waited for.
    expect(await repo.syncedOf([orderKey('2'), orderKey('4')])).toEqual([orderKey('2')]);
    // The notes of parked changes of several stores go in one command; the awaited record's arrival wakes them.
    commands.length = 0;
    await repo.noteWaitersOfStores([
      { storeId: store, waiterId: `${store}|invoice|14`, awaitedId: orderKey('4') },
      { storeId: 'shop-arrival-2', waiterId: 'shop-arrival-2|invoice|1', awaitedId: 'shop-arrival-2|order|1' },
    ]);
    expect(commands).toEqual(['update dependency_waits']);
    const notes = await conn
      .collection<{ _id: string; storeId: string; waiters: string[] }>('dependency_waits')
      .find({ _id: { $in: [orderKey('4'), 'shop-arrival-2|order|1'] } })
      .toArray();
    expect(notes.map((n) => [n._id, n.storeId, n.waiters]).sort()).toEqual([
      ['shop-arrival-2|order|1', 'shop-arrival-2', ['shop-arrival-2|invoice|1']],
      [orderKey('4'), store, [`${store}|invoice|14`]],
    ]);
    const wokenAt = new Date();
    expect(await repo.wakeWaitersOf([orderKey('4')], wokenAt)).toBe(1);
    expect(await model.findById(`${store}|invoice|14`).lean().exec()).toMatchObject({
      status: 'waiting',
      nextAttemptAt: wokenAt,
    });
  });

  it('saveLatestEach (Immediately events delivered together): synced contents become copies in a few commands for all, superseding older queued changes, open states are queued', async () => {
    const store = 'shop-each';
    // Held: an older open change of record 1 (superseded by its delivery) and a newer open change of record 2
    // (which the older delivered content must not remove).
    await repo.saveLatest(change(store, '1', '2026-01-01T09:00:00Z'), pending);
    await repo.saveLatest(change(store, '2', '2026-01-01T12:00:00Z', 'newer-2'), pending);
    const delivered = Array.from({ length: 30 }, (_, i) => change(store, String(i + 1), '2026-01-01T10:00:00Z'));
    const failed = change(store, '99', '2026-01-01T10:00:00Z');
    commands.length = 0;
    const outcomes = await repo.saveLatestEach([
      ...delivered.map((c, i) => ({ change: c, state: synced(`x-${i + 1}`) })),
      { change: failed, state: { status: 'failed' as const, attempts: 1, lastError: 'Account code is not valid' } },
    ]);
    expect(outcomes).toEqual([...delivered.map(() => 'saved'), 'saved']);
    // The copies: one read, one insert (nothing to replace); the queue: one delete for all, one upsert for the failure.
    expect([...commands].sort()).toEqual(
      ['delete pending_changes', 'find record_copies', 'insert record_copies', 'update pending_changes'].sort(),
    );
    const copied = await copies.find({ storeId: store }).lean().exec();
    expect(copied).toHaveLength(30);
    expect(copied.find((c) => c._id === `${store}|order|7`)).toMatchObject({
      xeroId: 'x-7',
      eventId: delivered[6].eventId,
    });
    const queued = await model.find({ storeId: store }).lean().exec();
    expect(queued.map((q) => [q.entityId, q.eventId, q.status]).sort()).toEqual([
      ['2', 'newer-2', 'pending'],
      ['99', failed.eventId, 'failed'],
    ]);
  });
});
