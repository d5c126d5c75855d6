import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityName, EntityPayloads } from '@xero-sync/contracts';
import { eventsOut, withTimeout } from '@xero-sync/observability';
import {
  NewPendingChange,
  NewSyncLogEntry,
  pendingChangeId,
  PendingChangeRecord,
  PendingChangeRepository,
  PendingChangeState,
  PendingChangeStatus,
  StoreSettings,
  SyncLogMode,
  SyncLogRepository,
} from '@xero-sync/persistence';
import { DeliveryItem, DeliveryPriority, DeliveryResult, XeroDeliveryService } from '@xero-sync/xero';
import { StoreDependencyQueries } from './store-dependency.queries';
import {
  assertNever,
  deliveryBackstopMs,
  disabledResult,
  logEntryFor,
  nextState,
  RetryPolicy,
  thrownResult,
} from './sync-policy';

/** A record to attempt: what to deliver, and its attempts so far (its next state counts on from them). */
export interface AttemptItem extends DeliveryItem {
  priorAttempts: number;
}

/** A queued record as an attempt item (attempts and correlation id its own unless given). */
export function attemptItemOf(
  record: PendingChangeRecord,
  over: { priorAttempts?: number; correlationId?: string } = {},
): AttemptItem {
  return {
    entity: record.entity as EntityName,
    entityId: record.entityId,
    payload: record.payload as unknown as EntityPayloads[EntityName],
    eventId: record.eventId,
    correlationId: over.correlationId ?? record.correlationId,
    priorAttempts: over.priorAttempts ?? record.attempts,
  };
}

/** Where the new states go in the queue: the caller's concern, written after the log rows. */
export type QueueWrite =
  /** Immediately mode, one event: its content becomes the record's latest (coalesced) in its new state. */
  | { kind: 'latest'; change: NewPendingChange }
  /**
   * Records read from the queue out of band (Sync Now, a wake-up): their new state, unless the content changed or
   * a flusher holds them meanwhile, or (with `fromStatus`) they left that status.
   */
  | { kind: 'if-unchanged'; fromStatus?: PendingChangeStatus }
  /** A claimed flush batch: every record's new state, under the claim. */
  | { kind: 'claimed'; claimToken: string };

export interface DeliverAndRecordRequest {
  settings: StoreSettings;
  /** The log rows' mode; a flush ('cron') delivers at normal priority, Immediately and Sync Now interactively. */
  mode: Extract<SyncLogMode, 'immediate' | 'cron' | 'manual'>;
  items: AttemptItem[];
  write: QueueWrite;
  /** A result still 'waiting' is neither logged nor written (a wake-up: the record stays as it was). */
  quietWhileWaiting?: boolean;
}

export interface AttemptOutcome {
  item: AttemptItem;
  result: DeliveryResult;
  state: PendingChangeState;
}

/**
 * One attempt of some store records, the same for Immediately, a flush and Sync Now: records whose store-side
 * prerequisite is not synced yet wait without a call, records of entity types the store does not sync are closed
 * as unchanged, the rest go to Xero in one delivery (a thrown or unanswered delivery is a retryable failure of
 * each), and every result becomes the record's next state, one log row per attempt and the queue write.
 */
@Injectable()
export class DeliverAndRecordUseCase {
  private readonly logger = new Logger(DeliverAndRecordUseCase.name);
  private readonly owner: string;
  private readonly timeoutMs: number;
  readonly retryPolicy: RetryPolicy;

  constructor(
    private readonly delivery: XeroDeliveryService,
    private readonly queue: PendingChangeRepository,
    private readonly syncLog: SyncLogRepository,
    private readonly dependencies: StoreDependencyQueries,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.owner = config.SYNCER_INSTANCE_ID;
    this.timeoutMs = config.SYNCER_DELIVERY_TIMEOUT_MS;
    this.retryPolicy = {
      baseMs: config.SYNCER_RETRY_BASE_MS,
      maxMs: config.SYNCER_RETRY_MAX_MS,
      maxAttempts: config.SYNCER_MAX_ATTEMPTS,
    };
  }

  /** The outcome of every item, in order (including quiet ones, which were neither logged nor written). */
  async execute(req: DeliverAndRecordRequest): Promise<AttemptOutcome[]> {
    if (req.write.kind === 'latest' && req.items.length !== 1) throw new Error('a latest-content write is one record');
    const results = await this.resultsOf(req.settings, req.items, req.mode === 'cron' ? 'normal' : 'interactive');
    const now = new Date();
    const outcomes = req.items.map((item, i) => ({
      item,
      result: results[i],
      state: nextState(results[i], item.priorAttempts, this.retryPolicy, now),
    }));
    const recorded = req.quietWhileWaiting ? outcomes.filter((o) => o.result.status !== 'waiting') : outcomes;
    if (recorded.length === 0) return outcomes;
    // Log first: if the queue write then fails, the record is delivered again (unchanged, no call) and logged
    // again, rather than being marked done with its attempt unexplained.
    await this.log(req, recorded);
    await this.write(req.settings.storeId, req.write, recorded);
    return outcomes;
  }

  /** One result per item, in order. The store-side prerequisite is decided here, for every caller. */
  private async resultsOf(
    settings: StoreSettings,
    items: AttemptItem[],
    priority: DeliveryPriority,
  ): Promise<DeliveryResult[]> {
    const inBatch = new Set(items.map((i) => `${i.entity}:${i.entityId}`));
    const enabled = new Set(settings.entitiesEnabled);
    const decided = new Map<AttemptItem, DeliveryResult>();
    const ready: AttemptItem[] = [];
    const unmetAll = await this.dependencies.unmetAll(settings.storeId, items, inBatch);
    for (const [i, item] of items.entries()) {
      const unmet = unmetAll[i];
      if (unmet) decided.set(item, unmet);
      else if (!enabled.has(item.entity)) decided.set(item, disabledResult(item));
      else ready.push(item);
    }
    const delivered = new Map<string, DeliveryResult>();
    if (ready.length > 0) {
      for (const r of await this.deliver(settings, ready, priority)) delivered.set(`${r.entity}\u0000${r.entityId}`, r);
    }
    return items.map(
      (item) =>
        decided.get(item) ??
        delivered.get(`${item.entity}\u0000${item.entityId}`) ??
        thrownResult(item, 'no result returned for this item'),
    );
  }

  private async deliver(
    settings: StoreSettings,
    items: AttemptItem[],
    priority: DeliveryPriority,
  ): Promise<DeliveryResult[]> {
    const deliveryItems: DeliveryItem[] = items.map(({ priorAttempts: _, ...item }) => item);
    const backstopMs = deliveryBackstopMs(this.timeoutMs);
    try {
      return await withTimeout(
        this.delivery.deliver(settings, deliveryItems, { priority, timeoutMs: this.timeoutMs }),
        backstopMs,
        `no answer from Xero delivery within ${backstopMs} ms`,
      );
    } catch (err) {
      this.logger.warn(`delivery of ${items.length} record(s) of ${settings.storeId} threw; retried: ${String(err)}`);
      return items.map((i) => thrownResult(i, err));
    }
  }

  private async log(req: DeliverAndRecordRequest, outcomes: AttemptOutcome[]): Promise<void> {
    const rows: NewSyncLogEntry[] = [];
    for (const { item, result, state } of outcomes) {
      const row = logEntryFor(result, {
        storeId: req.settings.storeId,
        tenantId: req.settings.xeroTenantId,
        mode: req.mode,
        eventId: item.eventId,
        correlationId: item.correlationId,
        attempt: state.attempts ?? item.priorAttempts + 1,
        syncerId: this.owner,
      });
      if (row) rows.push(row);
    }
    await this.syncLog.append(rows);
    for (const { result } of outcomes) eventsOut.inc({ app: 'syncer', entity: result.entity, outcome: result.status });
  }

  private async write(storeId: string, write: QueueWrite, outcomes: AttemptOutcome[]): Promise<void> {
    const idOf = (item: AttemptItem) => pendingChangeId({ storeId, entity: item.entity, entityId: item.entityId });
    switch (write.kind) {
      case 'latest':
        for (const o of outcomes) await this.queue.saveLatest(write.change, o.state);
        return;
      case 'if-unchanged':
        for (const o of outcomes)
          await this.queue.recordAttemptIfUnchanged(idOf(o.item), o.item.eventId, o.state, write.fromStatus);
        return;
      case 'claimed':
        await this.queue.completeClaimed(
          write.claimToken,
          outcomes.map((o) => ({ id: idOf(o.item), state: o.state })),
        );
        return;
      default:
        assertNever(write);
    }
  }
}
