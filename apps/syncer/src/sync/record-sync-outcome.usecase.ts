import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { eventsOut } from '@xero-sync/observability';
import { NewSyncLogEntry, SyncLogRepository } from '@xero-sync/persistence';
import { DeliveryResult } from '../delivery/xero-delivery.port';
import { AttemptContext, logEntryFor, RetryPolicy } from './sync-policy';

/** Writes the sync log rows of a set of results and counts them; the queue side is the caller's. */
@Injectable()
export class RecordSyncOutcomeUseCase {
  readonly retryPolicy: RetryPolicy;

  constructor(
    private readonly syncLog: SyncLogRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.retryPolicy = {
      baseMs: config.SYNCER_RETRY_BASE_MS,
      maxMs: config.SYNCER_RETRY_MAX_MS,
      maxAttempts: config.SYNCER_MAX_ATTEMPTS,
    };
  }

  async execute(entries: { result: DeliveryResult; ctx: AttemptContext }[]): Promise<void> {
    const rows: NewSyncLogEntry[] = [];
    for (const { result, ctx } of entries) {
      const row = logEntryFor(result, ctx);
      if (row) rows.push(row);
    }
    await this.syncLog.append(rows);
    for (const { result } of entries) eventsOut.inc({ app: 'syncer', entity: result.entity, outcome: result.status });
  }
}
