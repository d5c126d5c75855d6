import { commandLoggingRepository } from '@xero-sync/testing';
import { openItemsPerStore } from './pending-change.queries';
import { PendingChange, PendingChangeSchema } from './pending-change.schema';

/**
 * The per-store queue gauges on FerretDB: open items and the oldest change of each store, from one read however
 * many stores have work (a read per store cost stores × open items on FerretDB v1).
 */
describe('openItemsPerStore on FerretDB', () => {
  const db = commandLoggingRepository(PendingChange.name, PendingChangeSchema, (m) => m);

  it('counts each store’s pending, processing and waiting items and finds its oldest change in one find', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 11, 5, 9, minute));
    const item = (storeId: string, n: number, status: string, minute: number) => ({
      _id: `${storeId}:order:${n}`,
      storeId,
      entity: 'order',
      entityId: String(n),
      status,
      updatedAt: at(minute),
    });
    await db.conn.collection<{ _id: string }>(db.model.collection.collectionName).insertMany([
      item('shop-a', 1, 'pending', 30),
      item('shop-a', 2, 'waiting', 12),
      item('shop-a', 3, 'processing', 45),
      // Neither failed (waits for a person) nor synced items are work a flush will deliver.
      item('shop-a', 4, 'failed', 1),
      item('shop-a', 5, 'synced', 2),
      item('shop-b', 1, 'pending', 50),
      item('shop-b', 2, 'pending', 40),
      item('shop-c', 1, 'failed', 3),
      item('shop-d', 1, 'synced', 4),
    ]);
    db.commands.length = 0;

    const rows = await openItemsPerStore(db.model);

    expect(db.commands).toEqual(['find']);
    expect(rows.sort((x, y) => x.storeId.localeCompare(y.storeId))).toEqual([
      { storeId: 'shop-a', open: 3, oldestChangeAt: at(12) },
      { storeId: 'shop-b', open: 2, oldestChangeAt: at(40) },
    ]);
  });
});
