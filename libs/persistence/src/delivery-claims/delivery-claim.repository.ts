import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { insertManyNew } from '../insert-new';
import { DeliveryClaim } from './delivery-claim.schema';

export interface ClaimKey {
  storeId: string;
  entity: string;
  entityId: string;
}

export interface ClaimResult {
  /** Claims now held by the caller (release them with `release(ids)`). */
  held: { key: ClaimKey; id: string }[];
  /** Records another delivery holds; `expiresAt` is when its claim lapses if it is never released. */
  busy: { key: ClaimKey; expiresAt?: Date }[];
}

const keyOf = (k: ClaimKey) => `${k.storeId}|${k.entity}|${k.entityId}`;

/**
 * Exclusive per-record delivery claims: at most one delivery writes a given store record to Xero at a time
 * (overlapping deliveries happen during consumer rebalances and when a timed-out delivery is still finishing).
 * A claim nobody releases (its syncer was killed) lapses at `expiresAt` and can then be taken over.
 */
@Injectable()
export class DeliveryClaimRepository {
  constructor(@InjectModel(DeliveryClaim.name) private readonly model: Model<DeliveryClaim>) {}

  async claim(keys: ClaimKey[], owner: string, ttlMs: number, now = new Date()): Promise<ClaimResult> {
    const unique = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
    const result: ClaimResult = { held: [], busy: [] };
    if (unique.length === 0) return result;
    const docs = await this.model
      .find({ key: { $in: unique.map(keyOf) } }, { _id: 1, key: 1, epoch: 1, expiresAt: 1 })
      .lean<DeliveryClaim[]>()
      .exec();
    const latest = new Map<string, DeliveryClaim>();
    for (const d of docs) if ((latest.get(d.key)?.epoch ?? 0) < d.epoch) latest.set(d.key, d);
    const expiresAt = new Date(now.getTime() + ttlMs);
    const wanted: { key: ClaimKey; doc: DeliveryClaim }[] = [];
    for (const key of unique) {
      const prev = latest.get(keyOf(key));
      if (prev && prev.expiresAt > now) {
        result.busy.push({ key, expiresAt: prev.expiresAt });
        continue;
      }
      const epoch = (prev?.epoch ?? 0) + 1;
      wanted.push({ key, doc: { _id: `${keyOf(key)}#${epoch}`, key: keyOf(key), epoch, owner, expiresAt } });
    }
    const docsToInsert = wanted.map((w) => w.doc);
    const clashed = new Set((await insertManyNew(this.model, docsToInsert)).map((i) => docsToInsert[i]._id));
    for (const w of wanted) {
      if (clashed.has(w.doc._id)) result.busy.push({ key: w.key });
      else result.held.push({ key: w.key, id: w.doc._id });
    }
    // Lapsed epochs that were just taken over only document a crash; drop them.
    const stale = docs.filter((d) => result.held.some((h) => keyOf(h.key) === d.key)).map((d) => d._id);
    if (stale.length) await this.model.deleteMany({ _id: { $in: stale } }).exec();
    return result;
  }

  /** Releases claims by the ids `claim` returned (only the caller's own epochs, never a successor's). */
  async release(ids: string[]): Promise<void> {
    if (ids.length) await this.model.deleteMany({ _id: { $in: ids } }).exec();
  }
}
