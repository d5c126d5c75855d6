import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getConnectionToken } from '@nestjs/mongoose';
import mongoose, { Connection } from 'mongoose';
import { ConfigModule, loadConfig } from '@xero-sync/config';
import { infra, testMongoUri } from '@xero-sync/testing';
import { DuplicateKeyError } from './persistence.errors';
import { idFiltersIndexed, isFerretDb } from './update-where';
import { PersistenceModule } from './persistence.module';
import {
  DependencyWait,
  DependencyWaitSchema,
  PendingChange,
  PendingChangeModule,
  PendingChangeRepository,
  PendingChangeSchema,
  RecordCopy,
  RecordCopySchema,
} from './pending-changes';
import { StoreModule, StoreRepository } from './stores';
import { FlushScheduleModule, FlushScheduleRepository } from './flush-schedules';
import { DlqMessageModule, DlqMessageRepository } from './dlq-messages';

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
        FlushScheduleModule,
        DlqMessageModule,
      ],
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

  // Leases (flush, token, delivery-claim, backfill) are proven in leases/lease.repository.int-spec.ts.
  it('a secret rotation keeps the replaced secret sealed with its grace; the next rotation replaces it', async () => {
    const { webhookSecret: first } = await stores.create({ storeId: 'shop-rot', name: 'Rotating' });
    expect(await stores.webhookSecretsOf('shop-rot')).toEqual({ current: first });
    const at = new Date('2026-12-06T10:00:00Z');
    const second = (await stores.rotateSecret('shop-rot', 3_600_000, at))!;
    expect(second.previousSecretUntil).toEqual(new Date('2026-12-06T11:00:00Z'));
    expect(await stores.webhookSecretsOf('shop-rot')).toEqual({
      current: second.webhookSecret,
      previous: { secret: first, until: second.previousSecretUntil },
    });
    // Sealed at rest: neither secret is in the document in clear.
    const raw = JSON.stringify(await connection.collection('stores').findOne({ storeId: 'shop-rot' }));
    expect(raw).not.toContain(first);
    expect(raw).not.toContain(second.webhookSecret);
    expect((await stores.findById('shop-rot'))?.previousSecretUntil).toEqual(second.previousSecretUntil);
    // Revoked at once: the secret just replaced counts only for what it signed until now; the first is gone.
    const third = (await stores.rotateSecret('shop-rot', 0, new Date('2026-12-06T10:30:00Z')))!;
    expect(await stores.webhookSecretsOf('shop-rot')).toEqual({
      current: third.webhookSecret,
      previous: { secret: second.webhookSecret, until: new Date('2026-12-06T10:30:00Z') },
    });
    expect(await stores.webhookSecretOf('shop-rot')).toBe(third.webhookSecret);
    expect(await stores.rotateSecret('no-such-shop', 0)).toBeNull();
  });

  it('a flush schedule counts from first sight; a Sync Now that arrives during a flush stays pending', async () => {
    const schedules = app().get(FlushScheduleRepository);
    const seen = new Date('2024-01-01T00:00:00Z');
    expect(await schedules.scheduleOf('shop-sched', seen)).toEqual({ storeId: 'shop-sched', firstSeenAt: seen });
    expect((await schedules.scheduleOf('shop-sched', new Date())).firstSeenAt).toEqual(seen);

    await schedules.requestFlush('shop-sched', new Date('2024-01-01T00:01:00Z'));
    expect(await schedules.storesWithFlushRequests()).toEqual(['shop-sched']);
    // A flush that started before the request leaves it pending...
    await schedules.markFlushed('shop-sched', new Date('2024-01-01T00:00:30Z'), new Date('2024-01-01T00:02:00Z'));
    expect(await schedules.scheduleOf('shop-sched')).toMatchObject({
      lastFlushAt: new Date('2024-01-01T00:02:00Z'),
      flushRequestedAt: new Date('2024-01-01T00:01:00Z'),
    });
    // ...one that started after it answers it.
    await schedules.markFlushed('shop-sched', new Date('2024-01-01T00:03:00Z'), new Date('2024-01-01T00:04:00Z'));
    expect((await schedules.scheduleOf('shop-sched')).flushRequestedAt).toBeUndefined();
    expect(await schedules.storesWithFlushRequests()).toEqual([]);
  });

  it("many stores' flush schedules are read at once, a store seen for the first time created as scheduleOf does", async () => {
    const schedules = app().get(FlushScheduleRepository);
    const seen = new Date('2024-02-01T00:00:00Z');
    await schedules.scheduleOf('shop-many-1', seen);
    await schedules.requestFlush('shop-many-2', new Date('2024-02-01T00:01:00Z'));
    await schedules.markFlushed('shop-many-1', new Date('2024-02-01T00:02:00Z'), new Date('2024-02-01T00:03:00Z'));
    const later = new Date('2024-02-01T00:05:00Z');
    const got = await schedules.schedulesOf(['shop-many-1', 'shop-many-2', 'shop-many-3', 'shop-many-1'], later);
    expect([...got.keys()].sort()).toEqual(['shop-many-1', 'shop-many-2', 'shop-many-3']);
    expect(got.get('shop-many-1')).toEqual({
      storeId: 'shop-many-1',
      firstSeenAt: seen,
      lastFlushAt: new Date('2024-02-01T00:03:00Z'),
    });
    expect(got.get('shop-many-2')).toMatchObject({ flushRequestedAt: new Date('2024-02-01T00:01:00Z') });
    expect(got.get('shop-many-3')).toEqual({ storeId: 'shop-many-3', firstSeenAt: later });
    // The new one is persisted: its interval keeps counting from its first sight.
    expect((await schedules.scheduleOf('shop-many-3')).firstSeenAt).toEqual(later);
    expect((await schedules.schedulesOf([])).size).toBe(0);
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
    // Synced items leave the queue; their content stays readable as the records' copies.
    expect(await connection.collection('pending_changes').countDocuments({ storeId: 'shop-big' })).toBe(0);
    expect(await connection.collection('record_copies').countDocuments({ storeId: 'shop-big' })).toBe(120);
    expect(await queue.findByKey('shop-big', 'order', '5007')).toMatchObject({
      status: 'synced',
      attempts: 1,
      payload: { entity_id: 5007, grand_total: 10.5 },
    });
    expect(await queue.countByStatus('shop-big')).toMatchObject({ synced: 120, pending: 0 });
  });

  it('a synced record is read from its copy; older content is refused against it, newer content is queued', async () => {
    const first = change('9500', 'shop-copy');
    await queue.saveLatest(first, { status: 'synced', attempts: 1, syncedAt: new Date(), xeroId: 'x-1' });
    expect(await connection.collection('pending_changes').countDocuments({ storeId: 'shop-copy' })).toBe(0);
    expect(await queue.findByKey('shop-copy', 'order', '9500')).toMatchObject({
      eventId: first.eventId,
      xeroId: 'x-1',
    });
    expect(await queue.findByKeys('shop-copy', [{ entity: 'order', entityId: '9500' }])).toMatchObject([
      { status: 'synced' },
    ]);
    expect(await queue.removeOpenItem('shop-copy', 'order', '9500')).toBe('not-open');
    // An older synced write never replaces the copy.
    const older = { ...change('9500', 'shop-copy'), occurredAt: new Date(first.occurredAt.getTime() - 1000) };
    await queue.saveLatest(older, { status: 'synced', attempts: 1, syncedAt: new Date() });
    expect(await queue.findByKey('shop-copy', 'order', '9500')).toMatchObject({ eventId: first.eventId });

    // Newer content is open work in the queue, listed first; the copy is still the synced content.
    const newer = { ...change('9500', 'shop-copy'), occurredAt: new Date(first.occurredAt.getTime() + 1000) };
    expect(await queue.saveLatest(newer, { status: 'pending' })).toBe('saved');
    expect(await queue.findByKey('shop-copy', 'order', '9500')).toMatchObject({ eventId: newer.eventId });
    const listed = await queue.listByStore('shop-copy');
    expect(listed.items.map((i) => [i.eventId, i.status])).toEqual([
      [newer.eventId, 'pending'],
      [first.eventId, 'synced'],
    ]);
    expect(await queue.listByStore('shop-copy', { status: 'synced' })).toMatchObject({ total: 1 });
    expect((await queue.listByStore('shop-copy', {}, { page: 2, pageSize: 1 })).items).toMatchObject([
      { eventId: first.eventId },
    ]);

    // Sync Now of the synced copy that fails puts it back in the queue (unless newer content is there: refused).
    const failed = { status: 'failed' as const, attempts: 2, lastError: 'refused' };
    const id = 'shop-copy|order|9500';
    expect(await queue.recordAttemptIfUnchanged(id, first.eventId, failed)).toBe(false);
    await queue.saveLatest(newer, { status: 'synced', attempts: 1, syncedAt: new Date() });
    expect(await connection.collection('pending_changes').countDocuments({ storeId: 'shop-copy' })).toBe(0);
    expect(await queue.recordAttemptIfUnchanged(id, newer.eventId, failed)).toBe(true);
    expect(await queue.findByKey('shop-copy', 'order', '9500')).toMatchObject({ status: 'failed', attempts: 2 });
    // ...and its retry that syncs takes it out again.
    const again = { status: 'synced' as const, attempts: 3, syncedAt: new Date(), xeroId: 'x-2' };
    expect(await queue.recordAttemptIfUnchanged(id, newer.eventId, again)).toBe(true);
    expect(await connection.collection('pending_changes').countDocuments({ storeId: 'shop-copy' })).toBe(0);
    expect(await queue.findByKey('shop-copy', 'order', '9500')).toMatchObject({ attempts: 3, xeroId: 'x-2' });
  });

  it('moves items an older version left synced in the queue to the copies, once', async () => {
    const pending = connection.collection<{ _id: string }>('pending_changes');
    const old = change('9600', 'shop-migrate');
    await queue.saveLatest(old, { status: 'pending' });
    await queue.saveLatest(change('9601', 'shop-migrate'), { status: 'pending' });
    await pending.updateOne({ _id: 'shop-migrate|order|9600' }, { $set: { status: 'synced', xeroId: 'x-9' } });
    expect(await queue.moveSyncedToCopies()).toBe(1);
    expect(await queue.moveSyncedToCopies()).toBe(0);
    expect(await pending.countDocuments({ storeId: 'shop-migrate' })).toBe(1);
    expect(await queue.findByKey('shop-migrate', 'order', '9600')).toMatchObject({
      status: 'synced',
      eventId: old.eventId,
      xeroId: 'x-9',
    });
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
    expect(await connection.collection('record_copies').countDocuments({ storeId: 'shop-cas' })).toBe(0);
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

  // The flush writes its outcomes in one bulkWrite of updateManys (update-where.ts): a wait's reason, the record it
  // waits for and its start must survive the claim and that write, or the wait horizon restarts at every flush.
  it('a waiting item keeps what it waits for and since when through a claimed batch; that record wakes it', async () => {
    const awaited = 'shop-waits|customer|7';
    const since = new Date(Date.now() - 60_000);
    const waits = { status: 'waiting' as const, attempts: 1, waitingOn: 'r', waitingFor: awaited, waitingSince: since };
    const [a, b] = [change('9250', 'shop-waits'), change('9251', 'shop-waits')];
    await queue.saveLatest(a, { ...waits, nextAttemptAt: new Date(0) });
    await queue.saveLatest(b, { ...waits, nextAttemptAt: new Date(0) });
    const batch = await queue.claimDue('shop-waits', 'flusher', 10, 60_000);
    expect(batch.items.map((i) => [i.status, i.waitingFor, i.waitingSince])).toEqual([
      ['processing', awaited, since],
      ['processing', awaited, since],
    ]);
    const later = new Date(Date.now() + 600_000);
    const now = new Date();
    expect(
      await queue.completeClaimed(batch.claimToken, [
        { id: batch.items[0].id, state: { ...waits, attempts: 2, lastAttemptAt: now, nextAttemptAt: later } },
        { id: batch.items[1].id, state: { status: 'failed', attempts: 2, lastError: 'gave up', waitingFor: awaited } },
      ]),
    ).toBe(2);
    const [stillWaiting, gaveUp] = await queue
      .findByKeys('shop-waits', [
        { entity: 'order', entityId: '9250' },
        { entity: 'order', entityId: '9251' },
      ])
      .then((items) => items.sort((x, y) => x.entityId.localeCompare(y.entityId)));
    expect(stillWaiting).toMatchObject({
      status: 'waiting',
      waitingFor: awaited,
      waitingSince: since,
      nextAttemptAt: later,
    });
    expect(gaveUp).toMatchObject({ status: 'failed', waitingFor: awaited });
    expect(gaveUp.waitingSince).toBeUndefined();
    const notes = [stillWaiting, gaveUp].map((item) => ({ waiterId: item.id, awaitedId: awaited }));
    await queue.noteWaiters('shop-waits', notes);
    const wokenAt = new Date();
    expect(await queue.wakeWaitersOf([awaited], wokenAt)).toBe(2);
    expect(await queue.findByKey('shop-waits', 'order', '9250')).toMatchObject({
      status: 'waiting',
      waitingSince: since,
      nextAttemptAt: wokenAt,
    });
    expect(await queue.findByKey('shop-waits', 'order', '9251')).toMatchObject({
      status: 'pending',
      nextAttemptAt: wokenAt,
    });
    expect(await connection.collection('dependency_waits').countDocuments({ storeId: 'shop-waits' })).toBe(0);
  });

  it('answers the gauges: work a flush will still deliver per store with its oldest change, and the DLQ size', async () => {
    const before = new Date(Date.now() - 1000);
    await queue.saveLatest(change('9300', 'shop-gauge'), { status: 'pending' });
    await queue.saveLatest(change('9301', 'shop-gauge'), { status: 'waiting', waitingOn: 'customer:1' });
    await queue.saveLatest(change('9302', 'shop-gauge'), { status: 'failed', lastError: 'ValidationException' });
    await queue.saveLatest(change('9303', 'shop-gauge'), { status: 'synced', syncedAt: new Date() });
    await queue.saveLatest(change('9304', 'shop-gauge-done'), { status: 'synced', syncedAt: new Date() });
    const rows = await queue.openItemsByStore();
    const gauge = rows.find((r) => r.storeId === 'shop-gauge');
    expect(gauge?.open).toBe(2);
    expect(gauge!.oldestChangeAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(gauge!.oldestChangeAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(rows.find((r) => r.storeId === 'shop-gauge-done')).toBeUndefined();

    const dlq = app().get(DlqMessageRepository);
    const message = (offset: string, status: string) => ({
      _id: `dlq-gauge-${offset}`,
      sourceTopic: 'store.order.changed.v1',
      partition: 0,
      offset,
      valueBase64: Buffer.from('{}').toString('base64'),
      preview: '{}',
      headers: [],
      reason: 'invalid event',
      fieldErrors: [],
      status,
      requeueCount: status === 'new' ? 0 : 1,
    });
    await connection
      .collection<{ _id: string }>('dlq_messages')
      .insertMany([message('1', 'new'), message('2', 'new'), message('3', 'requeued')]);
    expect(await dlq.countNew()).toBe(2);
  });

  it('records a dead letter with no headers and no field errors once, and reads it back with empty lists', async () => {
    const dlq = app().get(DlqMessageRepository);
    const poison = {
      sourceTopic: 'store.order.changed.v1',
      partition: 3,
      offset: '9001',
      key: 'shop-dlq-empty',
      storeId: 'shop-dlq-empty',
      valueBase64: Buffer.from('not json').toString('base64'),
      preview: 'not json',
      headers: [],
      reason: 'malformed JSON',
      fieldErrors: [],
    };
    const first = await dlq.recordOnce(poison);
    expect(first).toMatchObject({ ...poison, status: 'new', requeueCount: 0 });
    // A redelivery of the same source position returns the row already recorded.
    const again = await dlq.recordOnce({ ...poison, reason: 'redelivered' });
    expect(again).toMatchObject({ id: first.id, reason: 'malformed JSON', headers: [], fieldErrors: [] });
    const [listed] = (await dlq.search({ storeId: 'shop-dlq-empty' })).items;
    expect(listed).toMatchObject({ id: first.id, headers: [], fieldErrors: [] });
    const stored = await connection.collection('dlq_messages').find({ storeId: 'shop-dlq-empty' }).toArray();
    expect(stored).toEqual([expect.objectContaining({ headers: [], fieldErrors: [], reason: 'malformed JSON' })]);
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

  // scripts/infra.sh runs SQLite with synchronous=NORMAL: a commit is written to the WAL but synced only at
  // checkpoints, so what a crashed FerretDB process had acknowledged must still be there (the OS holds the WAL).
  it('keeps what it acknowledged when the FerretDB process is killed (SIGKILL)', async () => {
    const ids = ['781', '782', '783'];
    for (const id of ids) await queue.saveLatest(change(id, 'shop-crash'), { status: 'pending' });
    infra('kill-ferretdb');
    try {
      await expect(queue.findByKey('shop-crash', 'order', '781')).rejects.toThrow();
    } finally {
      infra('start-ferretdb');
    }
    const found = [];
    for (const id of ids) {
      let item = null;
      for (let i = 0; i < 100 && !item; i++) {
        item = await queue.findByKey('shop-crash', 'order', id).catch(() => null);
        if (!item) await new Promise((r) => setTimeout(r, 200));
      }
      found.push(item?.payload);
    }
    expect(found).toEqual(ids.map((id) => ({ entity_id: Number(id), grand_total: 10.5 })));
  });

  // FerretDB built with infra/ferretdb/filter-pushdown.patch (scripts/infra.sh) answers `_id` lists and `_id` plus
  // conditions from the index; then a batch costs the same few commands however many items it holds.
  it('a flush batch is claimed in three commands and completed in four (synced items to the copies); a new item is saved in one', async () => {
    const conn = await mongoose.createConnection(testMongoUri(), { monitorCommands: true }).asPromise();
    try {
      const model = conn.model(PendingChange.name, PendingChangeSchema);
      await model.init();
      const waits = conn.model(DependencyWait.name, DependencyWaitSchema);
      const copies = conn.model(RecordCopy.name, RecordCopySchema);
      await copies.init();
      const repo = new PendingChangeRepository(model as never, waits as never, copies as never);
      const commands: string[] = [];
      conn.getClient().on('commandStarted', (e) => commands.push(e.commandName));
      await repo.saveLatest(change('1', 'shop-cmd'), { status: 'pending' });
      expect(await idFiltersIndexed(conn, model.collection.collectionName)).toBe(true);
      commands.length = 0;
      const saved = Array.from({ length: 120 }, (_, i) => change(String(i + 2), 'shop-cmd'));
      for (const c of saved) expect(await repo.saveLatest(c, { status: 'pending' })).toBe('saved');
      expect(commands).toEqual(saved.map(() => 'update'));
      commands.length = 0;
      expect(await repo.saveLatest(saved[0], { status: 'pending' })).toBe('duplicate');
      expect(commands).toEqual(['update', 'find']);

      expect(await idFiltersIndexed(conn, copies.collection.collectionName)).toBe(true);
      commands.length = 0;
      const batch = await repo.claimDue('shop-cmd', 'flusher', 200, 60_000);
      expect(batch.items).toHaveLength(121);
      const synced = new Date();
      const done = await repo.completeClaimed(
        batch.claimToken,
        batch.items.map((i, n) => ({
          id: i.id,
          state: { status: 'synced' as const, attempts: 1, syncedAt: synced, xeroId: `x-${n % 3}` },
        })),
      );
      expect(done).toBe(121);
      // Synced outcomes: the claimed items read once, their copies kept (the copies held read, then one insert),
      // and the items removed from the queue in one delete.
      expect(commands).toEqual(['find', 'update', 'find', 'find', 'find', 'insert', 'delete']);
      expect(await model.countDocuments({ storeId: 'shop-cmd' })).toBe(0);
      expect(await copies.countDocuments({ storeId: 'shop-cmd' })).toBe(121);
      expect(await copies.countDocuments({ storeId: 'shop-cmd', xeroId: 'x-2' })).toBe(40);
    } finally {
      await conn.dropDatabase();
      await conn.close();
    }
  });
});
