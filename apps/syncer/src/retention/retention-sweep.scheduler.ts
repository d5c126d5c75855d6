import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { SweepRetentionUseCase } from './sweep-retention.usecase';

const INTERVAL_NAME = 'retention-sweep';

/** Runs the retention sweep every RETENTION_SWEEP_MS (one at a time); a failed sweep is tried again next time. */
@Injectable()
export class RetentionSweepScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetentionSweepScheduler.name);
  private running: Promise<void> | undefined;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly sweep: SweepRetentionUseCase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => {
        this.running ??= this.run().finally(() => (this.running = undefined));
      }, this.config.RETENTION_SWEEP_MS),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  private async run(): Promise<void> {
    try {
      const swept = await this.sweep.execute();
      if (swept.syncLogRows || swept.requestStatDays) this.logger.log(`retention sweep: ${JSON.stringify(swept)}`);
    } catch (err) {
      this.logger.warn(`retention sweep failed, tried again next time: ${String(err)}`);
    }
  }
}
