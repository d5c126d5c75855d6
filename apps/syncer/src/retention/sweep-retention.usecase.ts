import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { PendingChangeRepository, RequestStatsRepository, SyncLogRepository, utcDay } from '@xero-sync/persistence';

const DAY_MS = 86_400_000;

export interface RetentionSweep {
  syncLogRows: number;
  requestStatDays: number;
  /** Items an earlier version left `synced` in the queue, moved to the records' copies (0 once none are left). */
  syncedItemsMoved: number;
}

/**
 * Keeps the two collections that grow with traffic bounded: sync log rows older than SYNC_LOG_RETENTION_DAYS and
 * daily request counters older than REQUEST_STATS_RETENTION_DAYS are deleted. A sweep rather than TTL indexes, so
 * the same code runs on FerretDB v1 (no TTL) and MongoDB; deleting what is already gone is harmless, so every
 * syncer may sweep without coordination. It also moves items that an earlier version left `synced` in the queue to
 * the records' copies (a one-time migration that later sweeps find done), batch by batch, so the queue holds open
 * work only.
 */
@Injectable()
export class SweepRetentionUseCase {
  constructor(
    private readonly syncLog: SyncLogRepository,
    private readonly requestStats: RequestStatsRepository,
    private readonly queue: PendingChangeRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(now = new Date()): Promise<RetentionSweep> {
    const logCutoff = new Date(now.getTime() - this.config.SYNC_LOG_RETENTION_DAYS * DAY_MS);
    const firstKeptDay = utcDay(new Date(now.getTime() - this.config.REQUEST_STATS_RETENTION_DAYS * DAY_MS));
    return {
      syncLogRows: await this.syncLog.deleteOlderThan(logCutoff),
      requestStatDays: await this.requestStats.deleteDaysBefore(firstKeptDay),
      syncedItemsMoved: await this.moveSynced(),
    };
  }

  private async moveSynced(): Promise<number> {
    let moved = 0;
    for (let n = await this.queue.moveSyncedToCopies(); n > 0; n = await this.queue.moveSyncedToCopies()) moved += n;
    return moved;
  }
}
