import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { ENTITIES, EntityChangeEvent, EntityName } from '@xero-sync/contracts';
import { BrokerUnavailableError } from '@xero-sync/messaging';
import {
  BackfillItemError,
  BackfillJobRecord,
  MagentoCredentials,
  MAX_BACKFILL_ERRORS,
  StoreRepository,
  StoreSettingsRepository,
} from '@xero-sync/persistence';
import { OutboundPolicy } from '@xero-sync/security';
import { normalizeIncomingEvent } from '../webhooks/dto/incoming-event.dto';
import { PublishEntityChangeUseCase } from '../webhooks/publish-entity-change.usecase';
import { BACKFILL_RETRY, BackfillTally, backoffMs, sleep } from './backfill-progress';
import { ClaimBackfillJobUseCase, ClaimedBackfillJob } from './claim-backfill-job.usecase';
import { fetchMagentoPage, fetchMagentoTimeZone, MagentoPage, MagentoRequestError } from './magento-rest.client';

class JobFailure extends Error {}

/** An IANA time zone name this runtime knows. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * The Magento 2 REST pull connector ("Add All Data To Queue" without an export file): pages through the
 * store's customers, products, orders, invoices and credit memos (dependencies first) and publishes every item
 * with origin "backfill". After each page is acknowledged by Kafka the cursor moves to the next page, so a
 * failed or interrupted job resumes from the last completed page. Never throws: the outcome is in the job.
 */
@Injectable()
export class RunMagentoBackfillUseCase {
  private readonly logger = new Logger(RunMagentoBackfillUseCase.name);
  private readonly running = new Set<string>();

  constructor(
    private readonly claim: ClaimBackfillJobUseCase,
    private readonly stores: StoreRepository,
    private readonly settings: StoreSettingsRepository,
    private readonly publish: PublishEntityChangeUseCase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  async execute(jobId: string): Promise<void> {
    if (this.running.has(jobId)) return;
    this.running.add(jobId);
    try {
      const claimed = await this.claim.execute(jobId);
      if (claimed) await this.runClaimed(claimed);
    } catch (err) {
      this.logger.error(`backfill ${jobId} stopped: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.running.delete(jobId);
    }
  }

  private async runClaimed(claimed: ClaimedBackfillJob): Promise<void> {
    const job = claimed.job;
    const tally = new BackfillTally(job);
    try {
      const credentials = await this.stores.magentoCredentialsOf(job.storeId);
      if (!credentials)
        throw new JobFailure(`store ${job.storeId} has no Magento base URL and integration token configured`);
      await this.fillTimeZone(job.storeId, credentials);
      // Dependencies first (customers and products before orders, orders before invoices and credit memos).
      const entities = ENTITIES.filter((e) => job.entities.includes(e));
      const cursor = tally.cursor && 'entity' in tally.cursor ? tally.cursor : { entity: entities[0], page: 1 };
      const startIndex = Math.max(0, entities.indexOf(cursor.entity as EntityName));
      for (let i = startIndex; i < entities.length; i++) {
        const entity = entities[i];
        const outcome = await this.pullEntity(claimed, entity, i === startIndex ? cursor.page : 1, tally, (page) =>
          fetchMagentoPage(credentials, entity, page, this.config.MAGENTO_PAGE_SIZE, this.outboundPolicy()),
        );
        if (outcome === 'cancelled') return await claimed.finish('cancelled', tally.snapshot());
      }
      await claimed.finish('succeeded', tally.snapshot());
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn(`backfill ${job.jobId} failed at ${JSON.stringify(tally.cursor)}: ${message}`);
      await claimed.finish('failed', tally.snapshot(), message);
    }
  }

  private async pullEntity(
    claimed: ClaimedBackfillJob,
    entity: EntityName,
    firstPage: number,
    tally: BackfillTally,
    fetchPage: (page: number) => Promise<MagentoPage>,
  ): Promise<'done' | 'cancelled'> {
    const job: BackfillJobRecord = claimed.job;
    const pageSize = this.config.MAGENTO_PAGE_SIZE;
    const ctx = { storeId: job.storeId, origin: 'backfill' as const, forceOrigin: true, now: new Date().toISOString() };
    for (let page = firstPage; ; page++) {
      const result = await this.withRetry(() => fetchPage(page));
      // Magento answers a page past the end with the last page again, so stop by total_count, not by emptiness.
      const lastPage = Math.max(1, Math.ceil(result.totalCount / pageSize));
      const items = page > lastPage ? [] : result.items;
      const events: EntityChangeEvent[] = [];
      const errors: BackfillItemError[] = [];
      let failed = 0;
      items.forEach((payload, index) => {
        const parsed = normalizeIncomingEvent({ entity, payload }, ctx);
        if (parsed.ok) return void events.push(parsed.value);
        failed++;
        for (const e of parsed.errors) {
          if (errors.length < MAX_BACKFILL_ERRORS)
            errors.push({ entity, page, path: `items.${index}.${e.path}`, message: e.message });
        }
      });
      await this.withRetry(() => this.publish.execute(events, job.jobId));
      const done = page >= lastPage;
      const next = done ? this.nextEntity(job, entity) : undefined;
      tally.settle({
        total: page === 1 ? result.totalCount : 0,
        published: events.length,
        failed,
        errors,
        cursor: next ? { entity: next, page: 1 } : { entity, page: page + 1 },
      });
      if (!(await claimed.saveProgress(tally.snapshot()))) return 'cancelled';
      if (done) return 'done';
    }
  }

  /**
   * Documents are dated on the store's local day, so the store's time zone comes from Magento before its records
   * are published (unless an admin set one). A store that does not answer keeps its setting: the backfill goes on.
   */
  private outboundPolicy(): OutboundPolicy {
    return { allowHttp: this.config.OUTBOUND_ALLOW_HTTP, allowPrivate: this.config.OUTBOUND_ALLOW_PRIVATE };
  }

  private async fillTimeZone(storeId: string, credentials: MagentoCredentials): Promise<void> {
    try {
      const timeZone = await fetchMagentoTimeZone(credentials, this.outboundPolicy());
      if (!timeZone || !isTimeZone(timeZone)) return;
      if (await this.settings.fillTimeZone(storeId, timeZone, 'magento-backfill'))
        this.logger.log(`store ${storeId}: time zone ${timeZone} from Magento's store configuration`);
    } catch (err) {
      this.logger.warn(
        `store ${storeId}: no time zone from Magento (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }

  private nextEntity(job: BackfillJobRecord, entity: EntityName): EntityName | undefined {
    const entities = ENTITIES.filter((e) => job.entities.includes(e));
    return entities[entities.indexOf(entity) + 1];
  }

  /** Retries transient failures (Kafka away, Magento 5xx/429/network) with backoff; rethrows permanent ones. */
  private async withRetry<T>(step: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await step();
      } catch (err) {
        const transient =
          err instanceof BrokerUnavailableError || (err instanceof MagentoRequestError && err.retryable);
        if (!transient || attempt + 1 >= BACKFILL_RETRY.attempts) throw err;
        const wait =
          err instanceof MagentoRequestError && err.retryAfterMs
            ? Math.min(err.retryAfterMs, 60_000)
            : backoffMs(attempt);
        await sleep(wait);
      }
    }
  }
}
