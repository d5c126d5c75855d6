import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { topics } from '@xero-sync/contracts';
import { KAFKA, Kafka } from '@xero-sync/messaging';
import {
  consumerLag,
  dlqSize,
  queueDepth,
  refreshTokenExpiry,
  storeQueueDepth,
  storeQueueOldest,
  xeroConnected,
} from '@xero-sync/observability';
import { DlqMessageRepository, PendingChangeRepository } from '@xero-sync/persistence';
import { XeroConnectionService } from '@xero-sync/xero';
import { syncerGroupId } from '../consumers/entity-change.consumer';

const INTERVAL_NAME = 'syncer-metrics';
/** Refresh period of the gauges: often enough for a 30 s scrape. */
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
 * Refreshes the gauges that need a query: queue depth by status and per store with its oldest item (a $group and
 * one read of the open items of pending_changes, paced by their cost), DLQ size, each org's connection and
 * refresh-token expiry, and the group's consumer lag per partition (committed offset vs high watermark, via the
 * Kafka admin API).
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
    private readonly dlq: DlqMessageRepository,
    private readonly connections: XeroConnectionService,
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
        const rows = await this.queue.openItemsByStore();
        const now = Date.now();
        // Reset first: a store whose queue emptied must drop out, not keep its last value.
        storeQueueDepth.reset();
        storeQueueOldest.reset();
        for (const row of rows) {
          storeQueueDepth.set({ store: row.storeId }, row.open);
          storeQueueOldest.set({ store: row.storeId }, Math.max(0, (now - row.oldestChangeAt.getTime()) / 1000));
        }
      } catch (err) {
        this.logger.debug(`queue depth not refreshed: ${String(err)}`);
      }
      this.depthNotBefore = Date.now() + (Date.now() - started) * DEPTH_COST_FACTOR;
    }
    try {
      dlqSize.set(await this.dlq.countNew());
      await this.refreshConnections();
    } catch (err) {
      this.logger.debug(`DLQ or connection gauges not refreshed: ${String(err)}`);
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

  private async refreshConnections(): Promise<void> {
    const views = await this.connections.list();
    // An org reconnected through a new connection keeps its old, disconnected one: the connected one wins.
    const connected = new Map<string, number>();
    const expiry = new Map<string, number>();
    for (const c of views) {
      for (const { tenantId: org } of c.tenants) {
        const up = c.status === 'connected' ? 1 : 0;
        if (up >= (connected.get(org) ?? 0)) {
          connected.set(org, up);
          if (c.refreshTokenExpiresAt) expiry.set(org, c.refreshTokenExpiresAt.getTime() / 1000);
        }
      }
    }
    xeroConnected.reset();
    refreshTokenExpiry.reset();
    for (const [org, up] of connected) xeroConnected.set({ org }, up);
    for (const [org, at] of expiry) refreshTokenExpiry.set({ org }, at);
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
