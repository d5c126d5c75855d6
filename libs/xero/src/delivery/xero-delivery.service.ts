import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { leaseKeys, LeaseRepository, RECORD_LEASES, StoreSettings, XeroLinkRepository } from '@xero-sync/persistence';
import { randomUUID } from 'node:crypto';
import { XeroAccountingClient } from '../client/xero-accounting.client';
import { XeroConnectionService } from '../tokens/xero-connection.service';
import { XeroError } from '../xero.errors';
import { XERO_OPTIONS, XeroModuleOptions } from '../xero.options';
import { DeliveryRun } from './delivery-run';
import { DEFAULT_DELIVERY_TIMEOUT_MS, DeliveryItem, DeliveryOptions, DeliveryResult } from './delivery.types';

/** Slack on top of deadline + one request before a record claim of a vanished syncer lapses. */
const CLAIM_MARGIN_MS = 10_000;
/** How soon a record found busy (claimed by another delivery) is tried again. */
const BUSY_RETRY_MS = 2_000;

/**
 * The only way the syncer writes to Xero. See DeliveryResult for the statuses and DeliveryRun for the stages.
 * The caller hands over the store's settings and only items of entities the store syncs.
 *
 * Exclusivity: a delivery first claims every record it was given (`record:` leases); a record another
 * delivery is still writing is answered 'deferred'. A run never starts a Xero call after its deadline, and its
 * claims outlive the deadline by one request timeout, so a claim that lapses (its syncer was killed) can only
 * be taken over once nothing of the old run can still reach Xero; the pending markers then say what to look up.
 */
@Injectable()
export class XeroDeliveryService {
  private readonly logger = new Logger(XeroDeliveryService.name);
  private readonly instance: string;
  private readonly options: XeroModuleOptions;

  constructor(
    private readonly client: XeroAccountingClient,
    private readonly links: XeroLinkRepository,
    private readonly connections: XeroConnectionService,
    @Inject(RECORD_LEASES) private readonly claims: LeaseRepository,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(XERO_OPTIONS) options: XeroModuleOptions = {},
  ) {
    this.instance = config.SYNCER_INSTANCE_ID;
    this.options = { ...options, batchSize: options.batchSize ?? config.XERO_BATCH_SIZE };
  }

  /** Delivers items for the store of `settings`; never throws for per-item problems (each item gets a result). */
  async deliver(settings: StoreSettings, items: DeliveryItem[], opts: DeliveryOptions): Promise<DeliveryResult[]> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      const run = new DeliveryRun({
        settings,
        items,
        priority: opts.priority,
        callClass: opts.callClass,
        xero: this.client,
        links: this.links,
        options: this.options,
        logger: this.logger,
        signal: deadline.signal,
      });
      await this.claimed(run, settings.storeId, items, timeoutMs + this.client.requestTimeoutMs + CLAIM_MARGIN_MS);
      return run.results();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs `run` holding the claims of its records; records claimed elsewhere are answered 'deferred'. */
  private async claimed(run: DeliveryRun, storeId: string, items: DeliveryItem[], ttlMs: number): Promise<void> {
    const owner = `${this.instance}:${randomUUID()}`;
    const byKey = new Map(items.map((i) => [leaseKeys.record(storeId, i.entity, i.entityId), i]));
    const { held, busy } = await this.claims.acquireMany([...byKey.keys()], owner, ttlMs);
    for (const b of busy) {
      const item = byKey.get(b.key)!;
      run.outcomes.busy(
        item.entity,
        item.entityId,
        new XeroError('UNAVAILABLE', 'another delivery of this record is in progress; it will be tried again', {
          retryAfterMs: BUSY_RETRY_MS,
        }),
      );
    }
    try {
      await run.execute({
        connections: this.connections,
        breakerState: (tenantId) => this.client.breakerState(tenantId),
      });
    } finally {
      await this.claims.releaseMany(held).catch((err: unknown) => {
        // Unreleased claims lapse at their expiry; the records wait until then.
        this.logger.warn(`could not release ${held.length} delivery claims: ${String(err)}`);
      });
    }
  }
}
