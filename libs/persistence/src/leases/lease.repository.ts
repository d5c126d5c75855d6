import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { insertManyNew } from '../insert-new';
import { isDuplicateKeyError } from '../persistence.errors';
import { updateWhere } from '../update-where';
import { Lease } from './lease.schema';

/** A lease as its holder knows it; `epoch` fences the holder's later renew, release and fenced writes. */
export interface HeldLease {
  key: string;
  epoch: number;
  owner: string;
  expiresAt: Date;
}

/** The outcome of claiming many keys at once. */
export interface LeaseBatch {
  /** Keys now held by the caller (give them back with `releaseMany`). */
  held: HeldLease[];
  /** Keys someone else holds; `expiresAt` (when known) is when that lease lapses if nobody releases it. */
  busy: { key: string; expiresAt?: Date }[];
}

/**
 * The keyspaces of the one lease collection, one prefix per kind of exclusive work. Each builder is the only
 * place its key format is written.
 */
export const leaseKeys = {
  /** One syncer flushes an org's (or an unbound store's) queue at a time; `scope` is `org:<tenant>` or `store:<id>`. */
  flush: (scope: string) => `flush:${scope}`,
  /** One instance refreshes a Xero connection's tokens at a time. */
  token: (connectionId: string) => `token:${connectionId}`,
  /** One delivery writes a store record to Xero at a time. */
  record: (storeId: string, entity: string, entityId: string) => `record:${storeId}:${entity}:${entityId}`,
  /** One ingest worker runs a backfill job at a time. */
  backfill: (jobId: string) => `backfill:${jobId}`,
} as const;

const idOf = (key: string, epoch: number) => `${key}#${epoch}`;

const held = (doc: Lease): HeldLease => ({
  key: doc.key,
  epoch: doc.epoch,
  owner: doc.owner,
  expiresAt: doc.expiresAt,
});

/**
 * "One owner at a time, with expiry" for every kind of exclusive work (see leaseKeys). A key's owner is the owner
 * of its newest epoch document while that has not expired. Taking a key that is free, expired or released inserts
 * the next epoch under the unique `_id` `<key>#<epoch>`: of several contenders exactly one insert succeeds, on
 * FerretDB (whose conditional updates are not serialised) and MongoDB alike. A holder's renew and release address
 * its own epoch only, so after a takeover they fail without touching the successor. `owner` names the holder and
 * is re-entrant: acquiring a key the same owner holds extends that lease.
 */
@Injectable()
export class LeaseRepository {
  constructor(@InjectModel(Lease.name) private readonly model: Model<Lease>) {}

  /** Takes `key` for `owner` until now + ttlMs when it is free, expired or already `owner`'s; null when busy. */
  async acquire(key: string, owner: string, ttlMs: number, now = new Date()): Promise<HeldLease | null> {
    const taken = await this.tryAcquire(key, owner, ttlMs, now);
    return 'lease' in taken ? taken.lease : null;
  }

  /**
   * `acquire`, telling a busy key's expiry when the read saw it: a caller that would otherwise ask again every few
   * seconds can wait until then. `busyUntil` is undefined when the lease was taken between the read and the insert.
   */
  async tryAcquire(
    key: string,
    owner: string,
    ttlMs: number,
    now = new Date(),
  ): Promise<{ lease: HeldLease } | { busyUntil?: Date }> {
    const latest = await this.latest(key);
    if (latest && latest.expiresAt > now) {
      if (latest.owner !== owner) return { busyUntil: latest.expiresAt };
      const renewed = await this.renew(held(latest), ttlMs, now);
      return renewed ? { lease: renewed } : {};
    }
    const lease: HeldLease = {
      key,
      epoch: (latest?.epoch ?? 0) + 1,
      owner,
      expiresAt: new Date(now.getTime() + ttlMs),
    };
    try {
      await this.model.create({ _id: idOf(key, lease.epoch), ...lease });
    } catch (err) {
      if (isDuplicateKeyError(err)) return {};
      throw err;
    }
    // Superseded epochs only document a crash or a release; drop them.
    if (latest) await this.model.deleteMany({ key, epoch: { $lt: lease.epoch } }).exec();
    return { lease };
  }

  /**
   * Extends a lease the caller holds; null when it has lapsed, was released or was taken over. An expired lease
   * is not renewed even if nobody took it yet: a contender may be inserting the next epoch at this moment.
   */
  async renew(lease: HeldLease, ttlMs: number, now = new Date()): Promise<HeldLease | null> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    const matched = await updateWhere(this.model, [
      {
        id: idOf(lease.key, lease.epoch),
        where: { owner: lease.owner, expiresAt: { $gt: now } },
        update: { $set: { expiresAt } },
      },
    ]);
    if (matched === 0) return null;
    // A contender can insert the next epoch only once ours had expired; if one did, the key is theirs.
    if (await this.model.exists({ _id: idOf(lease.key, lease.epoch + 1) }).exec()) return null;
    return { ...lease, expiresAt };
  }

  /** Gives a lease back (its epoch document is deleted); a successor's epoch is never touched. */
  async release(lease: HeldLease): Promise<void> {
    await this.model.deleteOne({ _id: idOf(lease.key, lease.epoch), owner: lease.owner }).exec();
  }

  /** Who holds `key` now, if anyone (an expired or released lease has no holder). */
  async holder(key: string, now = new Date()): Promise<HeldLease | null> {
    const latest = await this.latest(key);
    return latest && latest.expiresAt > now ? held(latest) : null;
  }

  /**
   * Takes every free or expired key of `keys` for `owner` in one read and one insert (plus one delete when
   * lapsed epochs were taken over). Not re-entrant: a live key is busy whoever holds it.
   */
  async acquireMany(keys: string[], owner: string, ttlMs: number, now = new Date()): Promise<LeaseBatch> {
    const unique = [...new Set(keys)];
    const result: LeaseBatch = { held: [], busy: [] };
    if (unique.length === 0) return result;
    const docs = await this.model
      .find({ key: { $in: unique } }, { _id: 1, key: 1, epoch: 1, expiresAt: 1 })
      .lean<Lease[]>()
      .exec();
    const latest = new Map<string, Lease>();
    for (const d of docs) if ((latest.get(d.key)?.epoch ?? 0) < d.epoch) latest.set(d.key, d);
    const expiresAt = new Date(now.getTime() + ttlMs);
    const wanted: HeldLease[] = [];
    for (const key of unique) {
      const prev = latest.get(key);
      if (prev && prev.expiresAt > now) result.busy.push({ key, expiresAt: prev.expiresAt });
      else wanted.push({ key, epoch: (prev?.epoch ?? 0) + 1, owner, expiresAt });
    }
    const clashed = new Set(
      await insertManyNew(
        this.model,
        wanted.map((l) => ({ _id: idOf(l.key, l.epoch), ...l })),
      ),
    );
    wanted.forEach((l, i) => (clashed.has(i) ? result.busy.push({ key: l.key }) : result.held.push(l)));
    const taken = new Set(result.held.map((l) => l.key));
    const stale = docs.filter((d) => taken.has(d.key)).map((d) => d._id);
    if (stale.length) await this.model.deleteMany({ _id: { $in: stale } }).exec();
    return result;
  }

  /** Gives back leases of one owner (as `acquireMany` returned them) in one delete. */
  async releaseMany(leases: HeldLease[]): Promise<void> {
    if (leases.length === 0) return;
    const owners = [...new Set(leases.map((l) => l.owner))];
    await this.model
      .deleteMany({ _id: { $in: leases.map((l) => idOf(l.key, l.epoch)) }, owner: { $in: owners } })
      .exec();
  }

  /**
   * Deletes the epochs of keys under `keyPrefix` that expired before `before`: leases of crashed holders on keys
   * nobody asked for again. Returns how many went. A holder that comes back finds its lease gone (renew fails).
   */
  async deleteExpired(keyPrefix: string, before: Date): Promise<number> {
    const escaped = keyPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const res = await this.model.deleteMany({ key: { $regex: `^${escaped}` }, expiresAt: { $lt: before } }).exec();
    return res.deletedCount;
  }

  private async latest(key: string): Promise<Lease | null> {
    return this.model.findOne({ key }).sort({ epoch: -1 }).lean<Lease>().exec();
  }
}
