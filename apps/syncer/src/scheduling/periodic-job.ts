import { SchedulerRegistry } from '@nestjs/schedule';

/**
 * A job a scheduler runs every so often, one run at a time (a tick that finds the last run still going skips),
 * registered under its name so shutdown can remove it and wait for the run in flight. The timer does not keep
 * the process alive.
 */
export class PeriodicJob {
  private running: Promise<void> | undefined;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly name: string,
  ) {}

  start(everyMs: number, run: () => Promise<void>): void {
    const timer = setInterval(() => {
      this.running ??= run().finally(() => (this.running = undefined));
    }, everyMs);
    timer.unref();
    this.registry.addInterval(this.name, timer);
  }

  async stop(): Promise<void> {
    if (this.registry.doesExist('interval', this.name)) this.registry.deleteInterval(this.name);
    await this.running;
  }
}
