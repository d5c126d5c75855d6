import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { EntityName, EntityPayloads } from '@xero-sync/contracts';
import { deliveryDuration, eventsOut, syncErrors, withTimeout } from '@xero-sync/observability';
import {
  FlushScheduleRepository,
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
import { CallClass, DeliveryItem, DeliveryPriority, DeliveryResult, XeroDeliveryService } from '@xero-sync/xero';
import { StoreDependencyQueries } from './store-dependency.queries';
import {
  assertNever,
  awaitedRecordOf,
  deliveryBackstopMs,
  disabledResult,
  logEntryFor,
  nextState,
  RetryPolicy,
  thrownResult,
} from './sync-policy';

const PRIORITY_OF_MODE: Record<DeliverAndRecordRequest['mode'], DeliveryPriority> = {
  immediate: 'interactive',
  manual: 'interactive',
  cron: 'normal',
  replay: 'backfill',
};

/**
 * A record to attempt: what to deliver, its attempts so far (its next state counts on from them) and, while its
 * content waits on another record, since when (the store's wait horizon counts from there).
 */
export interface AttemptItem extends DeliveryItem {
  priorAttempts: number;
  waitingSince?: Date;
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
    // Kept only while the content waits (any other state clears it); a flush sees the item as `processing`.
    waitingSince: record.waitingSince,
  };
}

/** Where the new states go in the queue: the caller's concern, written after the log rows. */
export type QueueWrite =
  /**
   * Immediately mode (events delivered together): each item's event content (`changes`, one per item, in order)
   * becomes its record's latest (coalesced) in its new state.
   */
  | { kind: 'latest'; changes: NewPendingChange[] }
  /**
   * Records read from the queue out of band (Sync Now, a wake-up): their new state, unless the content changed or
   * a flusher holds them meanwhile, or (with `fromStatus`) they left that status.
   */
  | { kind: 'if-unchanged'; fromStatus?: PendingChangeStatus }
  /** A claimed flush batch (`items` as claimed): every record's new state, under the claim. */
  | { kind: 'claimed'; claimToken: string; items: PendingChangeRecord[] };

export interface DeliverAndRecordRequest {
  settings: StoreSettings;
  /**
   * The log rows' mode; a flush ('cron') delivers at normal priority, Immediately and Sync Now interactively, a
   * replay at backfill priority.
   */
  mode: Extract<SyncLogMode, 'immediate' | 'cron' | 'manual' | 'replay'>;
  items: AttemptItem[];
  write: QueueWrite;
  /** A result still 'waiting' is neither logged nor written (a wake-up: the record stays as it was). */
  quietWhileWaiting?: boolean;
  /**
   * Overrides the mode's priority: an Immediately-mode event of a backfill (`origin: backfill`) waits behind
   * interactive and queue work instead of spending the reserve kept for them.
   */
  priority?: DeliveryPriority;
}

export interface AttemptOutcome {
  item: AttemptItem;
  result: DeliveryResult;
  state: PendingChangeState;
}

/** An attempt's outcomes, and how many other queued records it made due by syncing what they waited for. */
export interface AttemptReport {
  outcomes: AttemptOutcome[];
  woken: number;
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
    private readonly schedules: FlushScheduleRepository,
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
    return (await this.attempt(req)).outcomes;
  }

  /** `execute`, also telling how many waiting records it woke (a flush selects again only when some were). */
  async attempt(req: DeliverAndRecordRequest): Promise<AttemptReport> {
    if (req.write.kind === 'latest' && req.write.changes.length !== req.items.length)
      throw new Error('a latest-content write has one change per item');
    const priority = req.priority ?? PRIORITY_OF_MODE[req.mode];
    const callClass: CallClass = req.mode === 'manual' ? 'sync-now' : 'sync';
    const started = Date.now();
    const results = await this.resultsOf(req.settings, req.items, priority, callClass);
    deliveryDuration.observe({ mode: req.mode }, (Date.now() - started) / 1000);
    const now = new Date();
    const policy: RetryPolicy = { ...this.retryPolicy, waitHorizonMs: req.settings.waitHorizonMinutes * 60_000 };
    const storeId = req.settings.storeId;
    const outcomes = req.items.map((item, i) => {
      const awaited = results[i].status === 'waiting' ? awaitedRecordOf(item, results[i].message) : undefined;
      const wait = { since: item.waitingSince, waitingFor: awaited && pendingChangeId({ storeId, ...awaited }) };
      return {
        item,
        result: results[i],
        state: nextState(results[i], item.priorAttempts, policy, now, Math.random, wait),
      };
    });
    // A quiet wake-up records nothing while the item still waits, unless its wait horizon has passed.
    const recorded = req.quietWhileWaiting
      ? outcomes.filter((o) => o.result.status !== 'waiting' || o.state.status !== 'waiting')
      : outcomes;
    if (recorded.length === 0) return { outcomes, woken: 0 };
    // Log first: if the queue write then fails, the record is delivered again (unchanged, no call) and logged
    // again, rather than being marked done with its attempt unexplained.
    await this.log(req, recorded);
    await this.write(storeId, req, recorded);
    const woken = await this.linkWaits(storeId, req.write, recorded);
    return { outcomes, woken };
  }

  /**
   * Notes what each newly waiting item waits for, and wakes the items that waited for a record just synced
   * (returns how many): they become due now rather than at the end of their back-off. A flush claims them in its
   * next round (it selects again only when some woke); Sync Now, a wake-up retry or a replay asks for a flush of the
   * store, which the next tick of whichever syncer holds the org starts; after an Immediately event the syncer
   * retries what it parked itself and the flusher finds the rest due.
   */
  private async linkWaits(storeId: string, write: QueueWrite, outcomes: AttemptOutcome[]): Promise<number> {
    const idOf = (item: AttemptItem) => pendingChangeId({ storeId, entity: item.entity, entityId: item.entityId });
    // Wake first: an item that waits although its awaited record synced in this very attempt (an order posted as
    // DRAFT holds its payment) is not unblocked by it, and is noted after.
    const synced = outcomes.filter((o) => o.state.status === 'synced').map((o) => idOf(o.item));
    const woken = await this.queue.wakeWaitersOf(synced);
    // Immediately mode retries the items it parked right after this; the rest are due now for the next flush.
    if (woken > 0 && write.kind === 'if-unchanged') await this.schedules.requestFlush(storeId);
    const notes = [];
    for (const { item, state } of outcomes)
      if ((state.status === 'waiting' || state.status === 'failed') && state.waitingFor)
        notes.push({ waiterId: idOf(item), awaitedId: state.waitingFor });
    await this.queue.noteWaiters(storeId, notes);
    return woken;
  }

  /** One result per item, in order. The store-side prerequisite is decided here, for every caller. */
  private async resultsOf(
    settings: StoreSettings,
    items: AttemptItem[],
    priority: DeliveryPriority,
    callClass: CallClass,
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
      for (const r of await this.deliver(settings, ready, priority, callClass))
        delivered.set(`${r.entity}\u0000${r.entityId}`, r);
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
    callClass: CallClass,
  ): Promise<DeliveryResult[]> {
    const deliveryItems: DeliveryItem[] = items.map(({ priorAttempts: _, ...item }) => item);
    const backstopMs = deliveryBackstopMs(this.timeoutMs);
    try {
      return await withTimeout(
        this.delivery.deliver(settings, deliveryItems, { priority, callClass, timeoutMs: this.timeoutMs }),
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
      const row = logEntryFor(
        result,
        {
          storeId: req.settings.storeId,
          tenantId: req.settings.xeroTenantId,
          mode: req.mode,
          eventId: item.eventId,
          correlationId: item.correlationId,
          attempt: state.attempts ?? item.priorAttempts + 1,
          syncerId: this.owner,
        },
        state,
      );
      if (row) rows.push(row);
    }
    await this.syncLog.append(rows);
    for (const { result } of outcomes) {
      eventsOut.inc({ app: 'syncer', entity: result.entity, outcome: result.status });
      if (result.error) syncErrors.inc({ entity: result.entity, code: result.error.code });
    }
  }

  private async write(storeId: string, req: DeliverAndRecordRequest, outcomes: AttemptOutcome[]): Promise<void> {
    const idOf = (item: AttemptItem) => pendingChangeId({ storeId, entity: item.entity, entityId: item.entityId });
    const write = req.write;
    switch (write.kind) {
      case 'latest': {
        const changeOf = new Map(req.items.map((item, i) => [item, write.changes[i]]));
        await this.queue.saveLatestEach(outcomes.map((o) => ({ change: changeOf.get(o.item)!, state: o.state })));
        return;
      }
      case 'if-unchanged':
        for (const o of outcomes)
          await this.queue.recordAttemptIfUnchanged(idOf(o.item), o.item.eventId, o.state, write.fromStatus);
        return;
      case 'claimed':
        await this.queue.completeClaimed(
          write.claimToken,
          outcomes.map((o) => ({ id: idOf(o.item), state: o.state })),
          write.items,
        );
        return;
      default:
        assertNever(write);
    }
  }
}
