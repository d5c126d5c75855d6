import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { PeriodicJob } from '../scheduling/periodic-job';
import { SweepRetentionUseCase } from './sweep-retention.usecase';

/** Runs the retention sweep every RETENTION_SWEEP_MS; a failed sweep is tried again next time. */
@Injectable()
export class RetentionSweepScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionSweepScheduler.name);
  private readonly job: PeriodicJob;

  constructor(
    registry: SchedulerRegistry,
    private readonly sweep: SweepRetentionUseCase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.job = new PeriodicJob(registry, 'retention-sweep');
  }

  onApplicationBootstrap(): void {
    this.job.start(this.config.RETENTION_SWEEP_MS, async () => {
      try {
        const swept = await this.sweep.execute();
        if (swept.syncLogRows || swept.requestStatDays || swept.syncedItemsMoved)
          this.logger.log(`retention sweep: ${JSON.stringify(swept)}`);
      } catch (err) {
        this.logger.warn(`retention sweep failed, tried again next time: ${String(err)}`);
      }
    });
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }
}
