import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { randomUUID } from 'node:crypto';
import { Model } from 'mongoose';
import { DuplicateKeyError, isDuplicateKeyError } from '../persistence.errors';
import { pickFields } from '../pick-fields';
import { JobEnding, newestJobsOfStore, StoreJobRecord } from '../store-jobs';
import { updateWhere } from '../update-where';
import { BackfillCursor, BackfillItemError, BackfillJob, BackfillSource, BackfillStatus } from './backfill-job.schema';

export interface BackfillJobRecord extends StoreJobRecord<BackfillStatus> {
  jobId: string;
  source: BackfillSource;
  published: number;
  failed: number;
  errors: BackfillItemError[];
  cursor?: BackfillCursor;
  cancelRequested: boolean;
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

/**
 * The runner's proof of ownership, taken from its `backfill:<jobId>` lease: writes carrying a fence apply only
 * while the job is still marked as run under that owner and lease epoch, so a worker whose lease was taken
 * over cannot overwrite its successor's progress.
 */
export interface BackfillFence {
  /** The job document's own id (fenced writes address it alone; see updateWhere). */
  id: string;
  owner: string;
  epoch: number;
}

/** How a backfill run ended: succeeded, failed (with the reason) or cancelled, with its final progress. */
type BackfillEnding = JobEnding<Extract<BackfillStatus, 'succeeded' | 'failed' | 'cancelled'>, BackfillProgress>;

/** At most this many item errors are kept per job (the counts stay exact). */
export const MAX_BACKFILL_ERRORS = 100;

type Lean = BackfillJob & { _id: unknown };

/** The fields a job record shows as stored; list-valued and flag fields get their empty value when absent. */
const RECORD_FIELDS = [
  'jobId',
  'storeId',
  'source',
  'status',
  'total',
  'published',
  'failed',
  'cursor',
  'lastError',
  'requestedBy',
  'createdAt',
  'startedAt',
  'finishedAt',
] as const;

function toRecord(doc: Lean): BackfillJobRecord {
  return {
    ...pickFields(doc, RECORD_FIELDS),
    entities: doc.entities ?? [],
    errors: doc.itemErrors ?? [],
    cancelRequested: doc.cancelRequested ?? false,
  };
}

/** The stored form of the runner's progress: its absolute counters, cursor and first item errors. */
function progressFields(progress: BackfillProgress): Record<string, unknown> {
  const { total, published, failed, errors, cursor } = progress;
  return { total, published, failed, itemErrors: errors.slice(0, MAX_BACKFILL_ERRORS), cursor };
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
    return (await newestJobsOfStore<BackfillJob, Lean>(this.model, storeId, limit)).map(toRecord);
  }

  /**
   * Marks an active job as run by the holder of its lease (status → running, owner and epoch recorded) and
   * returns it with the fence of the runner's later writes. Null when the job is unknown, finished or
   * cancel-requested. Callers must hold the job's `backfill:<jobId>` lease: this write does not decide
   * ownership, the lease does.
   */
  async markRunning(
    jobId: string,
    lease: { owner: string; epoch: number },
    now = new Date(),
  ): Promise<{ job: BackfillJobRecord; fence: BackfillFence } | null> {
    const doc = await this.model
      .findOneAndUpdate(
        { jobId, status: { $in: ACTIVE }, cancelRequested: { $ne: true } },
        { $set: { status: 'running', leaseOwner: lease.owner, leaseEpoch: lease.epoch } },
        { returnDocument: 'after' },
      )
      .lean<Lean>()
      .exec();
    if (!doc) return null;
    if (!doc.startedAt) {
      await this.model.updateOne({ jobId, startedAt: null }, { $set: { startedAt: now } }).exec();
      doc.startedAt = now;
    }
    return { job: toRecord(doc), fence: { id: String(doc._id), owner: lease.owner, epoch: lease.epoch } };
  }

  /**
   * Saves counters and cursor under the runner's fence. Returns false when the job has been cancel-requested
   * (the runner then stops) or is no longer run under this fence (another worker took the lease over).
   */
  async recordProgress(fence: BackfillFence, progress: BackfillProgress): Promise<boolean> {
    const matched = await updateWhere(this.model, [
      {
        id: fence.id,
        where: { leaseOwner: fence.owner, leaseEpoch: fence.epoch, status: 'running', cancelRequested: { $ne: true } },
        update: {
          $set: progressFields(progress),
        },
      },
    ]);
    return matched > 0;
  }

  /** Ends a job (final counters included) under the runner's fence; false when the fence no longer holds. */
  async finish(
    fence: BackfillFence,
    { status, progress, lastError }: BackfillEnding,
    now = new Date(),
  ): Promise<boolean> {
    const matched = await updateWhere(this.model, [
      {
        id: fence.id,
        where: { leaseOwner: fence.owner, leaseEpoch: fence.epoch },
        update: {
          $set: { status, ...progressFields(progress), lastError, finishedAt: now },
          $unset: { leaseOwner: '', leaseEpoch: '' },
        },
      },
    ]);
    return matched > 0;
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

  /**
   * Active, not cancel-requested jobs of a source: the ones a worker may run. Whether one is running elsewhere
   * right now is for its lease to say (a dead worker's lease expires and the job is taken over).
   */
  async listActive(source: BackfillSource): Promise<BackfillJobRecord[]> {
    const docs = await this.model
      .find({ source, status: { $in: ACTIVE }, cancelRequested: { $ne: true } })
      .lean<Lean[]>()
      .exec();
    return docs.map(toRecord);
  }
}
