import { Injectable } from '@nestjs/common';
import { FlushScheduleRepository, PendingChangeRepository } from '@xero-sync/persistence';
import { FlushQueueScheduler } from '../sync/flush-queue.scheduler';

/**
 * "Sync Now" for a store's queue (optionally after "Retry failed"): makes its items due now, records the
 * request durably (whichever syncer holds the org lease honours it, even if this one restarts), and starts
 * a flush tick without waiting for it.
 */
@Injectable()
export class RequestFlushUseCase {
  constructor(
    private readonly queue: PendingChangeRepository,
    private readonly schedules: FlushScheduleRepository,
    private readonly scheduler: FlushQueueScheduler,
  ) {}

  async execute(storeId: string, opts: { retryFailed: boolean }): Promise<{ reset: number }> {
    const reset = opts.retryFailed ? await this.queue.resetFailed(storeId) : 0;
    await this.queue.makeDueNow(storeId);
    await this.schedules.requestFlush(storeId);
    this.scheduler.kick();
    return { reset };
  }
}
