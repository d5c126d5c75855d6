import { Model, QueryFilter } from 'mongoose';

/**
 * What a store's jobs (backfills, replays) all record: the store and entity types, status and size, why it failed,
 * who asked, and when it was created, started and finished.
 */
export interface StoreJobRecord<S extends string> {
  storeId: string;
  entities: string[];
  status: S;
  /** Items expected or messages in range, as far as known. */
  total: number;
  lastError?: string;
  requestedBy?: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

/** How a run of a job ended: its final status and progress, and why when it failed or was cut short. */
export interface JobEnding<S extends string, P> {
  status: S;
  progress: P;
  lastError?: string;
}

/** A store's jobs newest first, as lean documents (each job collection indexes `{ storeId: 1, createdAt: -1 }`). */
export function newestJobsOfStore<T extends { storeId: string; createdAt: Date }, L>(
  model: Model<T>,
  storeId: string,
  limit: number,
): Promise<L[]> {
  return model
    .find({ storeId } as QueryFilter<T>)
    .sort({ createdAt: -1 })
    .limit(limit)
    .lean<L[]>()
    .exec();
}
