import { randomUUID } from 'node:crypto';
import { Model, QueryFilter } from 'mongoose';
import { findByIds, updateWhere } from '../update-where';
import { ClaimedBatch, Lean, toRecord } from './pending-change.record';
import { PendingChange } from './pending-change.schema';

/** The `_id`s of up to `limit` items matching `due`, in claim order: lowest dependency rank first, then oldest. */
export async function selectDue(
  model: Model<PendingChange>,
  due: QueryFilter<PendingChange>,
  limit: number,
): Promise<string[]> {
  const candidates = await model
    .find(due, { _id: 1 })
    .sort({ rank: 1, nextAttemptAt: 1, occurredAt: 1 })
    .limit(limit)
    .batchSize(limit)
    .lean<Lean[]>()
    .exec();
  return candidates.map((c) => String(c._id));
}

/**
 * Claims those of the items `ids` that still match `due` for `owner` under a new token: one conditional update
 * over the `_id` list, one read of what was claimed under the token. Returns the claimed items in claim order.
 */
export async function claimItems(
  model: Model<PendingChange>,
  ids: string[],
  due: QueryFilter<PendingChange>,
  owner: string,
  leaseUntil: Date,
): Promise<ClaimedBatch> {
  const claimToken = randomUUID();
  if (ids.length === 0) return { claimToken, items: [] };
  const claim = { $set: { status: 'processing', leaseOwner: owner, leaseUntil, claimToken } };
  await updateWhere(
    model,
    ids.map((id) => ({ id, where: due, update: claim })),
  );
  const items = (await findByIds<PendingChange, Lean>(model, ids)).filter((d) => d.claimToken === claimToken);
  items.sort((a, b) => a.rank - b.rank || a.occurredAt.getTime() - b.occurredAt.getTime());
  return { claimToken, items: items.map(toRecord) };
}
