import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { existsSync } from 'node:fs';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { parseCommand, topics } from '@xero-sync/contracts';
import { IncomingMessage, KafkaConsumers } from '@xero-sync/messaging';
import { runWithCorrelation } from '@xero-sync/observability';
import { BackfillJobRepository } from '@xero-sync/persistence';
import { RunMagentoBackfillUseCase } from '../backfill/run-magento-backfill.usecase';
import { RunNdjsonBackfillUseCase } from '../backfill/run-ndjson-backfill.usecase';
import { spoolPathOf } from '../backfill/start-ndjson-backfill.usecase';
import { RequeueDlqUseCase } from './requeue-dlq.usecase';

/** How often this instance looks for jobs whose runner died (lease expired) and resumes them. */
const RESUME_SCAN_MS = 30_000;

/**
 * Consumes admin-api's `backfill.start` / `backfill.cancel` and `dlq.requeue` from the commands topic (other
 * command types belong to the syncer and are skipped; a requeue is ingest's because only its Kafka principal may
 * write the entity topics). A start creates the job if admin-api has not, re-queues it if it had failed,
 * and runs the Magento pull in the background, so the consumer is never blocked by a long backfill; a crash
 * is covered by the periodic resume of jobs whose lease expired.
 */
@Injectable()
export class BackfillCommandsConsumer implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BackfillCommandsConsumer.name);
  private scan: NodeJS.Timeout | undefined;

  constructor(
    private readonly consumers: KafkaConsumers,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly jobs: BackfillJobRepository,
    private readonly magento: RunMagentoBackfillUseCase,
    private readonly ndjson: RunNdjsonBackfillUseCase,
    private readonly requeueDlq: RequeueDlqUseCase,
  ) {}

  /** libs/messaging runs the consumer (started before this class's bootstrap hook, stopped at shutdown). */
  onModuleInit(): void {
    this.consumers.register(
      {
        groupId: `${this.config.KAFKA_GROUP_PREFIX}-ingest-commands`,
        topics: [topics.commands(this.config.KAFKA_TOPIC_PREFIX)],
        fromBeginning: true,
      },
      (message) => runWithCorrelation(message.headers['x-correlation-id'], () => this.handle(message)),
    );
  }

  onApplicationBootstrap(): void {
    this.scan = setInterval(() => void this.resumeAbandoned(), RESUME_SCAN_MS);
    void this.resumeAbandoned();
  }

  onApplicationShutdown(): void {
    clearInterval(this.scan);
  }

  private async handle(message: IncomingMessage): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString() ?? '');
    } catch {
      this.logger.warn(
        `skipping a command that is not JSON at ${message.topic}[${message.partition}]@${message.offset}`,
      );
      return;
    }
    const parsed = parseCommand(json);
    if (!parsed.ok) {
      this.logger.warn(
        `skipping an invalid command: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      );
      return;
    }
    const command = parsed.value;
    switch (command.type) {
      case 'backfill.start': {
        const job = await this.jobs.findOrCreate({
          jobId: command.jobId,
          storeId: command.storeId,
          source: 'magento',
          entities: command.entities,
          requestedBy: command.requestedBy,
        });
        if (job.source !== 'magento' || job.storeId !== command.storeId) {
          this.logger.warn(`backfill.start ${command.jobId} names a job of another store or source; skipped`);
          return;
        }
        if (job.status === 'failed') await this.jobs.requeue(job.jobId);
        void this.magento.execute(job.jobId);
        return;
      }
      case 'backfill.cancel':
        await this.jobs.requestCancel(command.jobId);
        return;
      case 'dlq.requeue':
        await this.requeueDlq.execute(command.storeId, command.dlqIds);
        return;
      case 'sync.record':
      case 'queue.flush':
      case 'queue.retry-failed':
      case 'replay.start':
        return;
    }
  }

  /** Resumes jobs left running by a worker that died: each run attempt gets the job only if its lease lapsed. */
  private async resumeAbandoned(): Promise<void> {
    try {
      for (const job of await this.jobs.listActive('magento')) void this.magento.execute(job.jobId);
      for (const job of await this.jobs.listActive('ndjson')) {
        // The upload lives on the disk of the instance that received it; only that machine can resume it.
        if (existsSync(spoolPathOf(job.jobId))) void this.ndjson.execute(job.jobId, spoolPathOf(job.jobId));
      }
    } catch (err) {
      this.logger.warn(`resume scan failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
