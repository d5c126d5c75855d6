import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { topics } from '@xero-sync/contracts';
import { KAFKA, Kafka } from '@xero-sync/messaging';
import { consumerLag, queueDepth } from '@xero-sync/observability';
import { PendingChangeRepository } from '@xero-sync/persistence';
import { syncerGroupId } from '../consumers/entity-change.consumer';

const INTERVAL_NAME = 'syncer-metrics';
/** Refresh period of both gauges: often enough for a 30 s scrape. */
const EVERY_MS = 15_000;
/**
 * The queue-depth query reads (and FerretDB v1 parses) every queue document, in every syncer: with tens of
 * thousands queued one $group took seconds of the database's CPU, so refreshing every 15 s took a large share
 * of it. After each run the next one waits this many times its own duration (at least EVERY_MS): the gauge
 * costs at most ~5 % of one database connection, per syncer. Cheap on MongoDB, where it stays at 15 s.
 */
const DEPTH_COST_FACTOR = 20;

type Admin = ReturnType<Kafka['admin']>;

/**
 * Refreshes the gauges that need a query: queue depth by status (one $group over pending_changes, paced by its
 * cost) and the group's consumer lag per partition (committed offset vs high watermark, via the Kafka admin API).
 */
@Injectable()
export class SyncerMetricsScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SyncerMetricsScheduler.name);
  private admin: Admin | undefined;
  private running: Promise<void> | undefined;
  private depthNotBefore = 0;

  constructor(
    private readonly registry: SchedulerRegistry,
    private readonly queue: PendingChangeRepository,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => {
        this.running ??= this.refresh().finally(() => (this.running = undefined));
      }, EVERY_MS),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await this.running;
    await this.admin?.disconnect().catch(() => undefined);
  }

  /** Updates both gauges; failures (broker or database away) leave the last values and are retried next time. */
  async refresh(): Promise<void> {
    if (Date.now() >= this.depthNotBefore) {
      const started = Date.now();
      try {
        const counts = await this.queue.countByStatus();
        for (const [status, n] of Object.entries(counts)) queueDepth.set({ status }, n);
      } catch (err) {
        this.logger.debug(`queue depth not refreshed: ${String(err)}`);
      }
      this.depthNotBefore = Date.now() + (Date.now() - started) * DEPTH_COST_FACTOR;
    }
    try {
      await this.refreshLag();
    } catch (err) {
      this.logger.debug(`consumer lag not refreshed: ${String(err)}`);
      const stale = this.admin;
      this.admin = undefined;
      await stale?.disconnect().catch(() => undefined);
    }
  }

  private async refreshLag(): Promise<void> {
    if (!this.admin) {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      this.admin = admin;
    }
    const entityTopics = topics.allEntityChanged(this.config.KAFKA_TOPIC_PREFIX);
    const committed = await this.admin.fetchOffsets({ groupId: syncerGroupId(this.config), topics: entityTopics });
    for (const { topic, partitions } of committed) {
      const ends = await this.admin.fetchTopicOffsets(topic);
      const byPartition = new Map(partitions.map((p) => [p.partition, Number(p.offset)]));
      for (const end of ends) {
        const done = byPartition.get(end.partition) ?? -1;
        const from = done >= 0 ? done : Number(end.low);
        consumerLag.set({ topic, partition: String(end.partition) }, Math.max(0, Number(end.high) - from));
      }
    }
  }
}
