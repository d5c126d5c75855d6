import mongoose, { Connection, Model } from 'mongoose';
import { testMongoUri } from '@xero-sync/testing';
import { NewPendingChange } from './pending-change.record';
import { PendingChangeRepository } from './pending-change.repository';
import { DependencyWait, DependencyWaitSchema, PendingChange, PendingChangeSchema } from './pending-change.schema';
import { RecordCopy, RecordCopySchema } from './record-copy.schema';

// A flush selects several batches of due items at once and claims them a batch at a time (FlushQueueUseCase): a
// claim made after the selection must take only what is still due then, in dependency order.
describe('PendingChangeRepository.selectDue / claim on FerretDB', () => {
  let conn: Connection;
  let model: Model<PendingChange>;
  let copies: Model<RecordCopy>;
  let repo: PendingChangeRepository;
  const commands: string[] = [];
  const store = 'shop-select-ahead';

  beforeAll(async () => {
    conn = await mongoose.createConnection(testMongoUri(), { monitorCommands: true }).asPromise();
    model = conn.model(PendingChange.name, PendingChangeSchema);
    copies = conn.model(RecordCopy.name, RecordCopySchema);
    await Promise.all([model.init(), copies.init()]);
    repo = new PendingChangeRepository(model, conn.model(DependencyWait.name, DependencyWaitSchema), copies);
    conn.getClient().on('commandStarted', (e) => commands.push(e.commandName));
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  const change = (entity: 'customer' | 'order', entityId: string, rank: number, at: string): NewPendingChange => ({
    storeId: store,
    entity,
    entityId,
    rank,
    eventId: `e-${entity}-${entityId}-${at}`,
    occurredAt: new Date(at),
    payload: { entity_id: Number(entityId), at },
    correlationId: `c-${entityId}`,
  });

  it('claims, from an earlier selection, only the items still due, lowest rank first; one selection for many claims', async () => {
    const pending = { status: 'pending' as const, nextAttemptAt: new Date(0) };
    const orders = Array.from({ length: 24 }, (_, i) => change('order', String(100 + i), 2, '2026-01-01T10:00:00Z'));
    const customers = Array.from({ length: 6 }, (_, i) => change('customer', String(i + 1), 0, '2026-01-01T11:00:00Z'));
    for (const c of [...orders, ...customers]) await repo.saveLatest(c, pending);

    commands.length = 0;
    const selected = await repo.selectDue(store, 100);
    expect(commands).toEqual(['find']);
    expect(selected).toHaveLength(30);
    // Dependency rank first: the customers, though newer, come before every order.
    expect(selected.slice(0, 6).every((id) => id.includes('|customer|'))).toBe(true);

    // After the selection: another claimer takes two orders, one order fails and backs off an hour.
    const taken = await repo.claim(selected.slice(10, 12), 'sync-now', 60_000);
    expect(taken.items).toHaveLength(2);
    const backedOff = selected[12];
    const failing = await repo.claim([backedOff], 'other', 60_000);
    expect(failing.items).toHaveLength(1);
    await repo.completeClaimed(failing.claimToken, [
      {
        id: backedOff,
        state: { status: 'failed', attempts: 1, lastError: 'x', nextAttemptAt: new Date(Date.now() + 3_600_000) },
      },
    ]);

    commands.length = 0;
    const first = await repo.claim(selected.slice(0, 10), 'flusher', 60_000);
    expect(commands).toEqual(['update', 'find']);
    expect(first.items.map((i) => i.entity)).toEqual([...Array(6).fill('customer'), ...Array(4).fill('order')]);
    const second = await repo.claim(selected.slice(10, 20), 'flusher', 60_000);
    const third = await repo.claim(selected.slice(20), 'flusher', 60_000);
    // 10 + 7 + 10: the two claimed elsewhere and the backed-off one are skipped, nothing is claimed twice.
    expect(second.items).toHaveLength(7);
    expect(third.items).toHaveLength(10);
    const claimedIds = [...first.items, ...second.items, ...third.items].map((i) => i.id);
    expect(new Set(claimedIds).size).toBe(27);
    expect(claimedIds).not.toContain(backedOff);
    const held = await model.find({ storeId: store, leaseOwner: 'flusher' }).lean().exec();
    expect(held).toHaveLength(27);
    expect(held.every((d) => d.status === 'processing')).toBe(true);
    // Nothing else is due now: a new selection is empty.
    expect(await repo.selectDue(store, 100)).toEqual([]);
  });

  it('completes a batch from the content it claimed: copies of what was delivered, no read of the queue; an item replaced meanwhile stays due', async () => {
    const shop = 'shop-complete';
    const pending = { status: 'pending' as const, nextAttemptAt: new Date(0) };
    const orders = Array.from({ length: 5 }, (_, i) => ({
      ...change('order', String(500 + i), 2, '2026-01-01T10:00:00Z'),
      storeId: shop,
    }));
    for (const c of orders) await repo.saveLatest(c, pending);
    const batch = await repo.claim(await repo.selectDue(shop, 10), 'flusher', 60_000);
    expect(batch.items).toHaveLength(5);
    // While the batch is delivered, newer content of one order arrives (its claim is dropped).
    const replaced = batch.items[0];
    const newer = { ...orders[0], eventId: 'newer-500', occurredAt: new Date('2026-01-01T12:00:00Z') };
    expect(await repo.saveLatest(newer, pending)).toBe('saved');

    commands.length = 0;
    const syncedAt = new Date();
    const done = await repo.completeClaimed(
      batch.claimToken,
      batch.items.map((i) => ({
        id: i.id,
        state: { status: 'synced' as const, attempts: 1, syncedAt, xeroId: `x-${i.entityId}` },
      })),
      batch.items,
    );
    // One read of the copies held, their insert, the removal of the items still claimed: the queue is not read
    // (an `explain` is the one-time probe of the copies' `_id` push-down).
    expect(commands.filter((c) => c !== 'explain')).toEqual(['find', 'insert', 'delete']);
    expect(done).toBe(4);
    const kept = await copies.find({ storeId: shop }).lean().exec();
    expect(kept).toHaveLength(5);
    for (const copy of kept) {
      const claimedItem = batch.items.find((i) => i.id === copy._id)!;
      expect(copy).toMatchObject({ eventId: claimedItem.eventId, xeroId: `x-${claimedItem.entityId}`, attempts: 1 });
      expect(JSON.parse(copy.payload)).toEqual(claimedItem.payload);
    }
    // The replaced order is still due with its newer content; the other four left the queue.
    const open = await model.find({ storeId: shop }).lean().exec();
    expect(open.map((d) => [d._id, d.eventId, d.status])).toEqual([[replaced.id, 'newer-500', 'pending']]);
  });
});
