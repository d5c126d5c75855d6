import { AppConfig } from '@xero-sync/config';
import { PendingChangeRepository, RequestStatsRepository, SyncLogRepository } from '@xero-sync/persistence';
import { strictFake } from '@xero-sync/testing';
import { SweepRetentionUseCase } from './sweep-retention.usecase';

describe('SweepRetentionUseCase', () => {
  it('deletes log rows older than the log retention and request counters of days before the stats retention', async () => {
    const logRows = [
      new Date('2026-08-01T00:00:00Z'),
      new Date('2026-09-01T12:00:00Z'),
      new Date('2026-12-01T00:00:00Z'),
    ];
    const statDays = ['2025-10-30', '2025-10-31', '2026-12-01'];
    const syncLog = strictFake<SyncLogRepository>('syncLog', {
      deleteOlderThan: async (cutoff: Date) => {
        const gone = logRows.filter((at) => at < cutoff);
        logRows.splice(0, logRows.length, ...logRows.filter((at) => at >= cutoff));
        return gone.length;
      },
    });
    const stats = strictFake<RequestStatsRepository>('requestStats', {
      deleteDaysBefore: async (day: string) => {
        const gone = statDays.filter((d) => d < day);
        statDays.splice(0, statDays.length, ...statDays.filter((d) => d >= day));
        return gone.length;
      },
    });
    // Two batches of synced items an earlier version left in the queue, then none.
    const leftSynced = [1000, 234];
    const queue = strictFake<PendingChangeRepository>('queue', {
      moveSyncedToCopies: async () => leftSynced.shift() ?? 0,
    });
    const config = { SYNC_LOG_RETENTION_DAYS: 90, REQUEST_STATS_RETENTION_DAYS: 400 } as AppConfig;
    const swept = await new SweepRetentionUseCase(syncLog, stats, queue, config).execute(
      new Date('2026-12-04T10:00:00Z'),
    );
    // 90 days before 2026-12-04T10:00 is 2026-09-05T10:00; 400 days before is 2025-10-30.
    expect(swept).toEqual({ syncLogRows: 2, requestStatDays: 0, syncedItemsMoved: 1234 });
    expect(logRows).toEqual([new Date('2026-12-01T00:00:00Z')]);
    expect(statDays).toEqual(['2025-10-30', '2025-10-31', '2026-12-01']);
    const later = await new SweepRetentionUseCase(syncLog, stats, queue, config).execute(
      new Date('2026-12-05T10:00:00Z'),
    );
    expect(later).toEqual({ syncLogRows: 0, requestStatDays: 1, syncedItemsMoved: 0 });
    expect(statDays).toEqual(['2025-10-31', '2026-12-01']);
  });
});
