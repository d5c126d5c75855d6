import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { randomUUID } from 'node:crypto';
import { Model } from 'mongoose';
import { DuplicateKeyError, isDuplicateKeyError } from '../persistence.errors';
import { BackfillCursor, BackfillItemError, BackfillJob, BackfillSource, BackfillStatus } from './backfill-job.schema';

export interface BackfillJobRecord {
  jobId: string;
  storeId: string;
  source: BackfillSource;
  entities: string[];
  status: BackfillStatus;
  total: number;
  published: number;
  failed: number;
  errors: BackfillItemError[];
  cursor?: BackfillCursor;
  cancelRequested: boolean;
  lastError?: string;
  requestedBy?: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

export interface NewBackfillJob {
  /** Chosen by the caller (admin-api puts it in the backfill.start command); generated when absent. */
  jobId?: string;
  storeId: string;
  source: BackfillSource;
  entities: string[];
  requestedBy?: string;
  /** Items expected, when known up front (an NDJSON upload's line count). */
  total?: number;
}

/** Absolute counters and cursor of a running job (the runner owns the numbers, so updates are idempotent). */
export interface BackfillProgress {
  total: number;
  published: number;
  failed: number;
  errors: BackfillItemError[];
  cursor?: BackfillCursor;
}

/** At most this many item errors are kept per job (the counts stay exact). */
export const MAX_BACKFILL_ERRORS = 100;

type Lean = BackfillJob & { _id: unknown };

function toRecord(doc: Lean): BackfillJobRecord {
  return {
    jobId: doc.jobId,
    storeId: doc.storeId,
    source: doc.source,
    entities: doc.entities ?? [],
    status: doc.status,
    total: doc.total,
    published: doc.published,
    failed: doc.failed,
    errors: doc.itemErrors ?? [],
    cursor: doc.cursor,
    cancelRequested: doc.cancelRequested ?? false,
    lastError: doc.lastError,
    requestedBy: doc.requestedBy,
    createdAt: doc.createdAt,
    startedAt: doc.startedAt,
    finishedAt: doc.finishedAt,
  };
}

const ACTIVE: BackfillStatus[] = ['queued', 'running'];

/** Backfill jobs ("Add All Data To Queue"). Ingest runs them; admin-api lists, reads and cancels them. */
@Injectable()
export class BackfillJobRepository {
  constructor(@InjectModel(BackfillJob.name) private readonly model: Model<BackfillJob>) {}

  /** Creates a queued job; throws DuplicateKeyError when the job id exists. */
  async create(job: NewBackfillJob, now = new Date()): Promise<BackfillJobRecord> {
    const jobId = job.jobId ?? randomUUID();
    try {
      const created = await this.model.create({
        ...job,
        jobId,
        total: job.total ?? 0,
        status: 'queued',
        createdAt: now,
      });
      return toRecord(created.toObject());
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new DuplicateKeyError('backfill_jobs', { jobId });
      throw err;
    }
  }

  /** Returns the job with this id, creating it as queued first if it does not exist (commands may race admin-api). */
  async findOrCreate(job: NewBackfillJob & { jobId: string }, now = new Date()): Promise<BackfillJobRecord> {
    const doc = await this.model
      .findOneAndUpdate(
        { jobId: job.jobId },
        {
          $setOnInsert: { ...job, status: 'queued', total: 0, published: 0, failed: 0, itemErrors: [], createdAt: now },
        },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<Lean>()
      .exec();
    return toRecord(doc);
  }

  async findById(jobId: string): Promise<BackfillJobRecord | null> {
    const doc = await this.model.findOne({ jobId }).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  /** A store's jobs, newest first. */
  async listByStore(storeId: string, limit = 50): Promise<BackfillJobRecord[]> {
    const docs = await this.model.find({ storeId }).sort({ createdAt: -1 }).limit(limit).lean<Lean[]>().exec();
    return docs.map(toRecord);
  }

  /**
   * Hands an active job to `owner` for `leaseMs` (status → running). Returns null when the job is finished,
   * cancel-requested, or leased by another live instance — so two instances never run the same job.
   */
  async claim(jobId: string, owner: string, leaseMs: number, now = new Date()): Promise<BackfillJobRecord | null> {
    const doc = await this.model
      .findOneAndUpdate(
        {
          jobId,
          status: { $in: ACTIVE },
          cancelRequested: { $ne: true },
          $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }, { leaseOwner: owner }],
        },
        { $set: { status: 'running', leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs) } },
        { returnDocument: 'after' },
      )
      .lean<Lean>()
      .exec();
    if (!doc) return null;
    if (!doc.startedAt) {
      await this.model.updateOne({ jobId, startedAt: null }, { $set: { startedAt: now } }).exec();
      doc.startedAt = now;
    }
    return toRecord(doc);
  }

  /**
   * Saves counters and cursor and extends the lease. Returns false when the job has been cancel-requested (the
   * runner then stops) or is no longer leased to `owner`.
   */
  async recordProgress(
    jobId: string,
    owner: string,
    progress: BackfillProgress,
    leaseMs: number,
    now = new Date(),
  ): Promise<boolean> {
    const result = await this.model
      .updateOne(
        { jobId, leaseOwner: owner, status: 'running', cancelRequested: { $ne: true } },
        {
          $set: {
            total: progress.total,
            published: progress.published,
            failed: progress.failed,
            itemErrors: progress.errors.slice(0, MAX_BACKFILL_ERRORS),
            cursor: progress.cursor,
            leaseUntil: new Date(now.getTime() + leaseMs),
          },
        },
      )
      .exec();
    return result.matchedCount > 0;
  }

  /** Ends a job (final counters included) and releases its lease. */
  async finish(
    jobId: string,
    status: Extract<BackfillStatus, 'succeeded' | 'failed' | 'cancelled'>,
    progress: BackfillProgress,
    lastError?: string,
    now = new Date(),
  ): Promise<void> {
    await this.model
      .updateOne(
        { jobId },
        {
          $set: {
            status,
            total: progress.total,
            published: progress.published,
            failed: progress.failed,
            itemErrors: progress.errors.slice(0, MAX_BACKFILL_ERRORS),
            cursor: progress.cursor,
            lastError,
            finishedAt: now,
            leaseUntil: null,
            leaseOwner: null,
          },
        },
      )
      .exec();
  }

  /** Marks a failed job runnable again (resume from its cursor). Returns null if it is not failed. */
  async requeue(jobId: string): Promise<BackfillJobRecord | null> {
    const doc = await this.model
      .findOneAndUpdate(
        { jobId, status: 'failed' },
        { $set: { status: 'queued', lastError: null, finishedAt: null } },
        { returnDocument: 'after' },
      )
      .lean<Lean>()
      .exec();
    return doc ? toRecord(doc) : null;
  }

  /**
   * Asks a job to stop: a queued job is cancelled at once, a running one stops at its next progress save.
   * Returns the job, or null when unknown.
   */
  async requestCancel(jobId: string, now = new Date()): Promise<BackfillJobRecord | null> {
    await this.model
      .updateOne({ jobId, status: 'queued' }, { $set: { status: 'cancelled', cancelRequested: true, finishedAt: now } })
      .exec();
    const doc = await this.model
      .findOneAndUpdate({ jobId }, { $set: { cancelRequested: true } }, { returnDocument: 'after' })
      .lean<Lean>()
      .exec();
    return doc ? toRecord(doc) : null;
  }

  /** Active jobs of a source whose lease is free or expired (a crashed instance's work to resume). */
  async listResumable(source: BackfillSource, now = new Date()): Promise<BackfillJobRecord[]> {
    const docs = await this.model
      .find({
        source,
        status: { $in: ACTIVE },
        cancelRequested: { $ne: true },
        $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }],
      })
      .lean<Lean[]>()
      .exec();
    return docs.map(toRecord);
  }
}
