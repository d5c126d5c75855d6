import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { XeroConnectionService } from '@xero-sync/xero';

const INTERVAL_NAME = 'xero-token-keep-alive';
const EVERY_MS = 60 * 60 * 1000;

/**
 * Xero drops a refresh token unused for 60 days, so an org whose store is quiet would silently disconnect.
 * Every hour each syncer refreshes the connections whose refresh token is 30 days old (the refresh lease makes
 * that one refresh however many syncers run); the connection view warns from day 45.
 */
@Injectable()
export class TokenKeepAliveScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TokenKeepAliveScheduler.name);
  private running: Promise<void> | undefined;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly connections: XeroConnectionService,
  ) {}

  onApplicationBootstrap(): void {
    const timer = setInterval(() => {
      this.running ??= this.run().finally(() => (this.running = undefined));
    }, EVERY_MS);
    timer.unref();
    this.registry.addInterval(INTERVAL_NAME, timer);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await this.running;
  }

  async run(): Promise<void> {
    try {
      const refreshed = await this.connections.keepAlive();
      if (refreshed > 0) this.logger.log(`refreshed ${refreshed} idle Xero connection(s) to keep them alive`);
    } catch (err) {
      this.logger.warn(`Xero token keep-alive failed; it runs again within the hour: ${String(err)}`);
    }
  }
}
