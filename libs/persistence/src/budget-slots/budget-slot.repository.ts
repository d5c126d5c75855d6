import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { insertManyNew } from '../insert-new';
import { upsertRacing } from '../upsert-racing';
import { BudgetSlot } from './budget-slot.schema';

/** A slot that can be claimed now: inserting `epoch` under its `_id` takes it. */
export interface FreeSlot {
  slot: number;
  epoch: number;
}

/** An org's budget as one read saw it. */
export interface OrgBudgetView {
  freeInflight: FreeSlot[];
  freeMinute: FreeSlot[];
  /** When each busy minute slot frees, earliest first. */
  minuteFreesAt: Date[];
  retryAfterUntil?: Date;
  breakerOpenUntil?: Date;
  /** Superseded epochs long expired (see deleteSuperseded). */
  superseded: string[];
}

/** The two slots one call holds; give them back with `release`. */
export interface HeldBudgetSlots {
  org: string;
  inflightId: string;
  minuteId: string;
}

/** One call's slots given back: the in-flight slot free at `now`, the minute slot at `minuteFreeAt`. */
export interface SlotRelease {
  held: HeldBudgetSlots;
  minuteFreeAt: Date;
  now: Date;
}

/** How many slots of each kind an org has, and how long a superseded epoch is kept. */
export interface BudgetSlotLimits {
  inflight: number;
  minute: number;
}

/**
 * Superseded epochs are deleted only this long after they expired: a process that read an older epoch as the
 * newest inserts the next one, and that `_id` must still exist (and refuse it) if someone else took it since, so
 * a claim's read and insert must lie closer together than this. Short, because every claim reads all of the
 * org's documents and FerretDB v1 parses each one (with a minute's superseded epochs kept, a claim took 160 ms).
 */
export const SUPERSEDED_GRACE_MS = 5_000;

const slotId = (org: string, kind: 'inflight' | 'minute', slot: number, epoch: number) =>
  `${org}:${kind}:${slot}#${epoch}`;
const stateId = (org: string) => `${org}:state`;

/**
 * The fleet-wide per-org Xero budget (`budget_slots`): `inflight` slots bound the calls in flight, `minute` slots
 * the calls per rolling Xero minute. A call holds one of each; a slot's newest epoch is busy until `expiresAt`,
 * which its holder only ever moves earlier (release), so "this epoch has expired" stays true once read. Claims
 * insert the next epoch (unique `_id`: one winner, also on FerretDB whose conditional updates are not
 * serialised); nothing exclusive is decided by an update. A killed holder's slots free at their expiry.
 */
@Injectable()
export class BudgetSlotRepository {
  constructor(@InjectModel(BudgetSlot.name) private readonly model: Model<BudgetSlot>) {}

  /** One read of every document of the org: which slots are free now, when busy minute slots free, its state. */
  async view(org: string, limits: BudgetSlotLimits, now = new Date()): Promise<OrgBudgetView> {
    const docs = await this.model.find({ org }).lean<BudgetSlot[]>().exec();
    const newest = new Map<string, BudgetSlot>();
    let state: BudgetSlot | undefined;
    for (const d of docs) {
      if (d.kind === 'state') state = d;
      else {
        const key = `${d.kind}:${d.slot}`;
        const prev = newest.get(key);
        if (!prev || (prev.epoch ?? 0) < (d.epoch ?? 0)) newest.set(key, d);
      }
    }
    const free = (kind: 'inflight' | 'minute', count: number): FreeSlot[] => {
      const out: FreeSlot[] = [];
      for (let slot = 0; slot < count; slot++) {
        const d = newest.get(`${kind}:${slot}`);
        if (!d || d.expiresAt! <= now) out.push({ slot, epoch: (d?.epoch ?? 0) + 1 });
      }
      return out;
    };
    const minuteFreesAt: Date[] = [];
    for (let slot = 0; slot < limits.minute; slot++) {
      const d = newest.get(`minute:${slot}`);
      if (d && d.expiresAt! > now) minuteFreesAt.push(d.expiresAt!);
    }
    minuteFreesAt.sort((a, b) => a.getTime() - b.getTime());
    const graceEnd = now.getTime() - SUPERSEDED_GRACE_MS;
    const superseded = docs
      .filter((d) => d.kind !== 'state' && newest.get(`${d.kind}:${d.slot}`) !== d && d.expiresAt!.getTime() < graceEnd)
      .map((d) => d._id);
    return {
      freeInflight: free('inflight', limits.inflight),
      freeMinute: free('minute', limits.minute),
      minuteFreesAt,
      retryAfterUntil: state?.retryAfterUntil,
      breakerOpenUntil: state?.breakerOpenUntil,
      superseded,
    };
  }

  /**
   * Claims one in-flight and one minute slot in one insert; null when another process took either first (what
   * this call got of the pair is given back). The in-flight slot lapses at `inflightUntil`, the minute slot at
   * `minuteUntil`, unless released earlier.
   */
  async claim(
    org: string,
    owner: string,
    inflight: FreeSlot,
    minute: FreeSlot,
    inflightUntil: Date,
    minuteUntil: Date,
  ): Promise<HeldBudgetSlots | null> {
    const [held] = await this.claimPairs(org, owner, [{ inflight, minute }], inflightUntil, minuteUntil);
    return held;
  }

  /**
   * Claims several pairs (one in-flight and one minute slot each, all different slots) in one insert: per pair
   * the held slots, or null when another process took either slot of it first (what was got of that pair is given
   * back). A process with several calls waiting claims for them together: one read and one insert instead of one
   * each, which is what bounds a process's claims per second when the database is busy.
   */
  async claimPairs(
    org: string,
    owner: string,
    pairs: { inflight: FreeSlot; minute: FreeSlot }[],
    inflightUntil: Date,
    minuteUntil: Date,
  ): Promise<(HeldBudgetSlots | null)[]> {
    const docs = pairs.flatMap(({ inflight, minute }) => [
      {
        _id: slotId(org, 'inflight', inflight.slot, inflight.epoch),
        kind: 'inflight',
        ...inflight,
        org,
        owner,
        expiresAt: inflightUntil,
      },
      {
        _id: slotId(org, 'minute', minute.slot, minute.epoch),
        kind: 'minute',
        ...minute,
        org,
        owner,
        expiresAt: minuteUntil,
      },
    ]);
    const refused = new Set(await insertManyNew(this.model, docs));
    const held = pairs.map((_, i) =>
      refused.has(2 * i) || refused.has(2 * i + 1)
        ? null
        : { org, inflightId: docs[2 * i]._id, minuteId: docs[2 * i + 1]._id },
    );
    // Ours but useless alone: expire it now (an update of our own epoch, so the epoch chain stays monotone).
    const now = new Date();
    const halves = docs.filter((_, i) => !refused.has(i) && held[Math.floor(i / 2)] === null);
    await Promise.all(halves.map((d) => this.expireOwn(d._id, now)));
    return held;
  }

  /**
   * Gives the slots back: the in-flight slot frees now, the minute slot at `minuteFreeAt` (the answer's time +
   * one Xero minute; never later than the claim said).
   */
  async release(held: HeldBudgetSlots, minuteFreeAt: Date, now = new Date()): Promise<void> {
    await this.releaseMany([{ held, minuteFreeAt, now }]);
  }

  /**
   * Gives back the slots of several calls, of any orgs, in one command (a process's calls that finished while its
   * previous release was being written).
   */
  async releaseMany(releases: SlotRelease[]): Promise<void> {
    if (releases.length === 0) return;
    // Each statement by `_id` alone, as expireOwn; `$min`, so a slot's expiry only ever moves earlier.
    await this.model.bulkWrite(
      releases.flatMap(({ held, minuteFreeAt, now }) => [
        { updateOne: { filter: { _id: held.inflightId }, update: { $min: { expiresAt: now } } } },
        { updateOne: { filter: { _id: held.minuteId }, update: { $min: { expiresAt: minuteFreeAt } } } },
      ]),
      { ordered: false },
    );
  }

  /** Every process waits until at least `until` before calling the org (Xero answered 429 with Retry-After). */
  async blockUntil(org: string, until: Date): Promise<void> {
    await this.upsertState(org, { $max: { retryAfterUntil: until } });
  }

  /** Marks the org's breaker open for the fleet until `until`, or closed (null). */
  async setBreakerOpen(org: string, until: Date | null): Promise<void> {
    await this.upsertState(org, until ? { $set: { breakerOpenUntil: until } } : { $unset: { breakerOpenUntil: 1 } });
  }

  /** Orgs whose breaker some process has open now. */
  async openBreakers(now = new Date()): Promise<Record<string, Date>> {
    const docs = await this.model
      .find({ kind: 'state', breakerOpenUntil: { $gt: now } })
      .lean<BudgetSlot[]>()
      .exec();
    return Object.fromEntries(docs.map((d) => [d.org, d.breakerOpenUntil!]));
  }

  /** Deletes superseded epochs a view reported (long expired, never the newest of a slot). */
  async deleteSuperseded(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.model.deleteMany({ _id: { $in: ids } }).exec();
  }

  /**
   * Moves the expiry of the caller's own epoch earlier (by `_id` alone: FerretDB pushes only that filter down).
   * Only the epoch's holder writes it, so no update races another.
   */
  private async expireOwn(id: string, at: Date): Promise<void> {
    await this.model.updateOne({ _id: id }, { $min: { expiresAt: at } }).exec();
  }

  private async upsertState(org: string, update: Record<string, unknown>): Promise<void> {
    // Two processes inserting the org's first state document race on `_id`; the loser writes again.
    await upsertRacing(() =>
      this.model
        .updateOne({ _id: stateId(org) }, { ...update, $setOnInsert: { org, kind: 'state' } }, { upsert: true })
        .exec(),
    );
  }
}
