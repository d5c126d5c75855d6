import { Model, QueryFilter } from 'mongoose';
import { fromCopy, Lean, PendingChangeRecord, toRecord } from './pending-change.record';
import { PendingChange, PendingChangeStatus } from './pending-change.schema';
import { RecordCopy } from './record-copy.schema';

type CopyLean = RecordCopy & { createdAt?: Date; updatedAt?: Date };

// The queue's reads for people and gauges (admin queue page, reconciliation, dashboard counts, queue-depth metrics),
// over the open items and the synced records' copies; PendingChangeRepository answers them through these.

/**
 * Items of a store, optionally by status or entity (admin queue view, reconciliation): the queue's open items
 * first, then the synced records' copies, each newest change first. A record with newer content still open is
 * listed twice, open and as its synced copy (callers wanting one per record keep the first).
 */
export async function listStoreItems(
  model: Model<PendingChange>,
  copies: Model<RecordCopy>,
  storeId: string,
  filter: { status?: PendingChangeStatus; entity?: string } = {},
  page: { page?: number; pageSize?: number } = {},
): Promise<{ items: PendingChangeRecord[]; total: number }> {
  const query: QueryFilter<PendingChange> = { storeId };
  if (filter.status) query.status = filter.status;
  if (filter.entity) query.entity = filter.entity;
  const copyQuery: QueryFilter<RecordCopy> = { storeId, ...(filter.entity ? { entity: filter.entity } : {}) };
  const pageSize = Math.min(Math.max(page.pageSize ?? 50, 1), 500);
  const skip = (Math.max(page.page ?? 1, 1) - 1) * pageSize;
  const wantQueue = filter.status !== 'synced';
  const wantCopies = !filter.status || filter.status === 'synced';
  const [queued, copied] = await Promise.all([
    wantQueue ? model.countDocuments(query).exec() : 0,
    wantCopies ? copies.countDocuments(copyQuery).exec() : 0,
  ]);
  const items: PendingChangeRecord[] = [];
  if (skip < queued) {
    const docs = await model.find(query).sort({ occurredAt: -1 }).skip(skip).limit(pageSize).lean<Lean[]>();
    items.push(...docs.map(toRecord));
  }
  const left = pageSize - items.length;
  if (wantCopies && left > 0 && skip + items.length - queued < copied) {
    const docs = await copies
      .find(copyQuery)
      .sort({ occurredAt: -1 })
      .skip(Math.max(skip - queued, 0))
      .limit(left)
      .lean<CopyLean[]>();
    items.push(...docs.map(fromCopy));
  }
  return { items, total: queued + copied };
}

/**
 * Item counts by status: for one store (dashboard) `synced` counts its records' copies; fleet-wide (queue depth
 * metric) only the queue's items.
 */
export async function countItemsByStatus(
  model: Model<PendingChange>,
  copies: Model<RecordCopy>,
  storeId?: string,
): Promise<Record<PendingChangeStatus, number>> {
  const match: QueryFilter<PendingChange> = storeId ? { storeId } : {};
  const rows = await model
    .aggregate<{ _id: PendingChangeStatus; n: number }>([
      { $match: match },
      { $group: { _id: '$status', n: { $sum: 1 } } },
    ])
    .exec();
  const counts: Record<PendingChangeStatus, number> = { pending: 0, processing: 0, failed: 0, waiting: 0, synced: 0 };
  for (const r of rows) counts[r._id] += r.n;
  // One store's synced records are its copies (plus any item the migration has not moved yet). The fleet-wide
  // count (the queue-depth gauge, every few seconds) leaves them out: FerretDB v1 counts by reading every document,
  // and history is not queue depth.
  if (storeId) counts.synced += await copies.countDocuments({ storeId }).exec();
  return counts;
}

/**
 * Per store: items a flush will still deliver (pending, processing, waiting; not failed ones, which wait for a
 * person) and when the longest-waiting of them last changed, from one read of the open items' store and change
 * time (FerretDB v1 has no $min accumulator). It was a sorted read per store, each of which FerretDB answered by
 * decoding every open item of every store (its SQLite picks the status index and filters the store afterwards):
 * stores × open items per refresh, about a fifth of FerretDB's CPU in the 200-org simulation. Callers pace it.
 */
export async function openItemsPerStore(
  model: Model<PendingChange>,
): Promise<{ storeId: string; open: number; oldestChangeAt: Date }[]> {
  const docs = await model
    .find({ status: { $in: ['pending', 'processing', 'waiting'] } }, { _id: 0, storeId: 1, updatedAt: 1 })
    .lean<{ storeId: string; updatedAt?: Date }[]>()
    .exec();
  const perStore = new Map<string, { storeId: string; open: number; oldestChangeAt: Date }>();
  const now = new Date();
  for (const d of docs) {
    const changedAt = d.updatedAt ?? now;
    const row = perStore.get(d.storeId);
    if (!row) perStore.set(d.storeId, { storeId: d.storeId, open: 1, oldestChangeAt: changedAt });
    else {
      row.open += 1;
      if (changedAt < row.oldestChangeAt) row.oldestChangeAt = changedAt;
    }
  }
  return [...perStore.values()];
}
