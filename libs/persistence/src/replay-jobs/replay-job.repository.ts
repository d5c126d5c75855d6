import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { JobEnding, newestJobsOfStore, StoreJobRecord } from '../store-jobs';
import { updateWhere } from '../update-where';
import { ReplayCounts, ReplayJob, ReplayRange, ReplayStatus } from './replay-job.schema';

export interface ReplayJobRecord extends StoreJobRecord<ReplayStatus> {
  replayId: string;
  from: Date;
  counts: ReplayCounts;
  ranges: ReplayRange[];
  runner?: string;
  progressAt?: Date;
}

export interface NewReplayJob {
  replayId: string;
  storeId: string;
  from: Date;
  entities: string[];
  requestedBy?: string;
}

/** How a replay ended: succeeded, failed or interrupted (with the reason), with its final counts. */
type ReplayEnding = JobEnding<Extract<ReplayStatus, 'succeeded' | 'failed' | 'interrupted'>, ReplayCounts>;

/** Counts of a replay that has not read anything yet. */
export function emptyReplayCounts(): ReplayCounts {
  return { read: 0, synced: 0, unchanged: 0, failed: 0, waiting: 0, skipped: 0 };
}

type Lean = ReplayJob & { _id: string };

function toRecord({ _id, ...rest }: Lean): ReplayJobRecord {
  return { replayId: _id, ...rest };
}

/** Replay jobs (`_id` = replay id): admin-api creates and lists them, the syncer running one writes its progress. */
@Injectable()
export class ReplayJobRepository {
  constructor(@InjectModel(ReplayJob.name) private readonly model: Model<ReplayJob>) {}

  async create(job: NewReplayJob, now = new Date()): Promise<ReplayJobRecord> {
    const { replayId, ...rest } = job;
    await this.model.create({
      _id: replayId,
      ...rest,
      status: 'requested',
      counts: emptyReplayCounts(),
      createdAt: now,
    });
    return (await this.find(replayId))!;
  }

  async find(replayId: string): Promise<ReplayJobRecord | null> {
    const doc = await this.model.findOne({ _id: replayId }).lean<Lean>().exec();
    return doc ? toRecord(doc) : null;
  }

  /** A store's replays, newest first. */
  async listByStore(storeId: string, limit = 50): Promise<ReplayJobRecord[]> {
    return (await newestJobsOfStore<ReplayJob, Lean>(this.model, storeId, limit)).map(toRecord);
  }

  /**
   * Marks a requested replay as run by `runner` over `ranges`; false when it is not `requested` any more (a command
   * delivered twice starts it once).
   */
  async start(
    replayId: string,
    runner: string,
    ranges: ReplayRange[],
    total: number,
    now = new Date(),
  ): Promise<boolean> {
    const update = { $set: { status: 'running', runner, ranges, total, startedAt: now, progressAt: now } };
    return (await updateWhere(this.model, [{ id: replayId, where: { status: 'requested' }, update }])) === 1;
  }

  /** The running replay's counts so far (absolute, so a repeated write is harmless). */
  async saveProgress(replayId: string, counts: ReplayCounts, now = new Date()): Promise<void> {
    await this.model.updateOne({ _id: replayId }, { $set: { counts, progressAt: now } }).exec();
  }

  /** The replay's end: its final counts and status (with the reason when it failed or was interrupted). */
  async finish(replayId: string, { status, progress, lastError }: ReplayEnding, now = new Date()): Promise<void> {
    const $set: Record<string, unknown> = { status, counts: progress, progressAt: now, finishedAt: now };
    if (lastError) $set.lastError = lastError;
    await this.model.updateOne({ _id: replayId }, { $set }).exec();
  }
}
