import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { BackfillJobRepository } from '@xero-sync/persistence';
import type { StoreResolver } from '../auth/store-scope';

/** The store a backfill job (`:jobId`) belongs to, for the store scope check; none when there is no such job. */
@Injectable()
export class BackfillJobStores implements StoreResolver {
  constructor(private readonly jobs: BackfillJobRepository) {}

  async storesOf(req: Request): Promise<string[]> {
    const jobId = (req.params as Record<string, unknown>).jobId;
    if (typeof jobId !== 'string') return [];
    const job = await this.jobs.findById(jobId);
    return job ? [job.storeId] : [];
  }
}
