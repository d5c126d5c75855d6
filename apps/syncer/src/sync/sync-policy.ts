import {
  creditMemoPrerequisite,
  EntityChangeEvent,
  EntityName,
  ENTITY_RANK,
  isGuestOrder,
  MagentoCreditMemo,
  MagentoInvoice,
  MagentoOrder,
} from '@xero-sync/contracts';
import { NewPendingChange, NewSyncLogEntry, PendingChangeState, SyncLogMode } from '@xero-sync/persistence';
import { DeliveryItem, DeliveryResult } from '@xero-sync/xero';

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
  /** How long content may wait on another record before it is failed (the store's wait horizon); none: forever. */
  waitHorizonMs?: number;
}

/** What a waiting item waited on so far: since when, and (when known) the record whose sync wakes it. */
export interface WaitContext {
  since?: Date;
  waitingFor?: string;
}

/** The error an item takes when it waited longer than the store's horizon: what it waits for and what unblocks it. */
export function gaveUpWaitingMessage(reason: string, horizonMs: number): string {
  const span = horizonMs >= 60_000 ? `${Math.round(horizonMs / 60_000)} min` : `${Math.round(horizonMs / 1000)} s`;
  return (
    `gave up after waiting ${span}: ${reason}. It goes on by itself once that record reaches Xero ` +
    `(see that record's own row for why it has not: fix it or have the store send it), or press Sync Now.`
  );
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random, so retries of many items spread. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/**
 * The queue state an item takes after a delivery result, given its attempts so far. Deferred items were not
 * attempted (budget, breaker, connection) and keep their attempt count; retryable failures back off until
 * `maxAttempts`, then stay `failed` like permanent ones, visible for "Sync Now" / "Retry failed". Items waiting on
 * another record back off the same way but never give up.
 */
export function nextState(
  result: DeliveryResult,
  priorAttempts: number,
  policy: RetryPolicy,
  now = new Date(),
  random: () => number = Math.random,
  wait: WaitContext = {},
): PendingChangeState {
  const attempts = priorAttempts + 1;
  const later = (ms: number) => new Date(now.getTime() + ms);
  switch (result.status) {
    case 'synced':
    case 'unchanged':
      return { status: 'synced', attempts, lastAttemptAt: now, syncedAt: now, xeroId: result.xeroId };
    case 'deferred':
      return {
        status: 'pending',
        attempts: priorAttempts,
        nextAttemptAt: later(result.error?.retryAfterMs ?? Math.min(policy.baseMs, 1000)),
        lastError: result.message,
      };
    case 'waiting': {
      // No attempt limit: the record it waits on may be delayed (a crashed syncer's claim, a Xero outage, its own
      // backoff), and its sync wakes this one. But not forever: after the store's horizon the wait becomes an error
      // that names what it waits for, so a record whose dependency never comes (an order left DRAFT) is seen and
      // no drain waits on it; Sync Now or the awaited record's next sync starts it again.
      const since = wait.since ?? now;
      const horizon = policy.waitHorizonMs;
      const left = horizon === undefined ? Infinity : since.getTime() + horizon - now.getTime();
      if (horizon !== undefined && left <= 0) {
        return {
          status: 'failed',
          attempts,
          lastAttemptAt: now,
          lastError: gaveUpWaitingMessage(result.message, horizon),
          waitingFor: wait.waitingFor,
        };
      }
      return {
        status: 'waiting',
        attempts,
        lastAttemptAt: now,
        waitingOn: result.message,
        waitingFor: wait.waitingFor,
        waitingSince: since,
        lastError: result.message,
        nextAttemptAt: later(Math.min(backoffMs(attempts, policy, random), left)),
      };
    }
    case 'failed': {
      const retryable = result.error?.retryable ?? false;
      if (!retryable || attempts >= policy.maxAttempts) {
        return { status: 'failed', attempts, lastAttemptAt: now, lastError: result.message };
      }
      const delay = Math.max(result.error?.retryAfterMs ?? 0, backoffMs(attempts, policy, random));
      return {
        status: 'pending',
        attempts,
        lastAttemptAt: now,
        lastError: result.message,
        nextAttemptAt: later(delay),
      };
    }
    default:
      return assertNever(result.status);
  }
}

export interface AttemptContext {
  storeId: string;
  tenantId?: string;
  mode: SyncLogMode;
  eventId?: string;
  correlationId?: string;
  attempt: number;
  syncerId: string;
}

/**
 * The sync log row for one result and the state it led to; none for a deferred item (no attempt was made, nothing
 * to explain). A dependency wait is logged `waiting` with its reason and next attempt, not as an error, until the
 * wait horizon turns it into one.
 */
export function logEntryFor(
  result: DeliveryResult,
  ctx: AttemptContext,
  state?: PendingChangeState,
): NewSyncLogEntry | null {
  if (result.status === 'deferred') return null;
  const success = result.status === 'synced' || result.status === 'unchanged';
  if (result.status === 'waiting') {
    const gaveUp = state?.status === 'failed';
    return {
      storeId: ctx.storeId,
      tenantId: ctx.tenantId,
      entity: result.entity,
      entityId: result.entityId,
      action: result.action ?? 'none',
      status: gaveUp ? 'error' : 'waiting',
      message: gaveUp ? (state.lastError ?? result.message) : result.message,
      errorCode: gaveUp ? 'WAIT_HORIZON' : (result.error?.code ?? 'DEPENDENCY_FAILED'),
      nextAttemptAt: gaveUp ? undefined : state?.nextAttemptAt,
      durationMs: Math.round(result.durationMs),
      calls: result.calls,
      mode: ctx.mode,
      correlationId: ctx.correlationId,
      eventId: ctx.eventId,
      attempt: ctx.attempt,
      syncerId: ctx.syncerId,
    };
  }
  return {
    storeId: ctx.storeId,
    tenantId: ctx.tenantId,
    entity: result.entity,
    entityId: result.entityId,
    action: result.action ?? 'none',
    status: success ? 'success' : 'error',
    message: success ? 'OK' : result.message,
    errorCode: success ? undefined : result.error?.code,
    xeroId: result.xeroId,
    xeroUrl: result.xeroUrl,
    durationMs: Math.round(result.durationMs),
    calls: result.calls,
    mode: ctx.mode,
    correlationId: ctx.correlationId,
    eventId: ctx.eventId,
    attempt: ctx.attempt,
    syncerId: ctx.syncerId,
  };
}

/**
 * The log row of a per-record Sync Now for a record the syncer holds no content of: nothing was attempted, and
 * nothing can be until the store sends the record.
 */
export function unknownRecordEntry(
  record: { entity: EntityName; entityId: string },
  ctx: AttemptContext,
): NewSyncLogEntry {
  return {
    storeId: ctx.storeId,
    tenantId: ctx.tenantId,
    entity: record.entity,
    entityId: record.entityId,
    action: 'none',
    status: 'error',
    message:
      'No content known for this record: the pipeline never received it, so the store must send it (save it in the ' +
      'store again, or give the store Magento REST credentials so Sync Now can fetch it, or use Add All Data To Queue).',
    errorCode: 'NOT_FOUND',
    durationMs: 0,
    calls: 0,
    mode: ctx.mode,
    correlationId: ctx.correlationId,
    attempt: ctx.attempt,
    syncerId: ctx.syncerId,
  };
}

/**
 * The result of a record whose entity type the store does not sync (switched off after it was queued): closed
 * without a call, as the same content would be.
 */
export function disabledResult(item: Pick<DeliveryItem, 'entity' | 'entityId'>): DeliveryResult {
  return {
    entity: item.entity,
    entityId: item.entityId,
    status: 'unchanged',
    action: 'none',
    message: `${item.entity} sync is disabled for this store`,
    calls: 0,
    durationMs: 0,
  };
}

/**
 * How long the syncer waits for a delivery before giving up on its answer: the delivery's own deadline (after
 * which it starts no Xero call) plus one request that may still be in flight. Its records stay claimed until
 * it really ends, so giving up early can never let a second delivery of the same record overlap it.
 */
export function deliveryBackstopMs(deadlineMs: number): number {
  return deadlineMs + 60_000;
}

/** A delivery that threw (not a per-item result): treated as a retryable failure of every item. */
export function thrownResult(item: Pick<DeliveryItem, 'entity' | 'entityId'>, err: unknown): DeliveryResult {
  return {
    entity: item.entity,
    entityId: item.entityId,
    status: 'failed',
    message: `delivery error: ${err instanceof Error ? err.message : String(err)}`,
    error: { code: 'UNAVAILABLE', retryable: true },
    calls: 0,
    durationMs: 0,
  };
}

export function queueChangeOf(event: EntityChangeEvent, correlationId?: string): NewPendingChange {
  return {
    storeId: event.storeId,
    entity: event.entity,
    entityId: event.entityId,
    rank: ENTITY_RANK[event.entity],
    eventId: event.eventId,
    occurredAt: new Date(event.occurredAt),
    payload: event.payload,
    correlationId,
  };
}

/**
 * Start of the store's current flush slot. Slots repeat every interval, offset per store (hash of its id) so
 * stores with equal intervals do not all flush at the same instant; changes arriving within one slot are
 * written together at its end.
 */
export function currentSlotStart(storeId: string, intervalMs: number, now: number): number {
  let hash = 0;
  for (const ch of storeId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const offset = hash % intervalMs;
  return Math.floor((now - offset) / intervalMs) * intervalMs + offset;
}

/**
 * The store record a waiting item waits for, as far as its payload and the wait's reason tell: a store invoice its
 * order, a credit memo the store record its store-side prerequisite names (its store invoice, or its order), an order
 * its customer or the product a missing item code belongs to. Undefined when not known (a guest's contact, which
 * comes with the order itself); such an item is still retried by its back-off.
 */
export function awaitedRecordOf(
  item: { entity: EntityName; payload: unknown },
  reason: string,
): { entity: EntityName; entityId: string } | undefined {
  switch (item.entity) {
    case 'invoice':
      return { entity: 'order', entityId: String((item.payload as MagentoInvoice).order_id) };
    case 'creditmemo': {
      const first = creditMemoPrerequisite(item.payload as MagentoCreditMemo);
      return { entity: first.entity, entityId: first.entityId };
    }
    case 'order': {
      const order = item.payload as MagentoOrder;
      const sku = /\bitem (\S+) (?:is|was|could) /.exec(reason)?.[1];
      if (sku) return { entity: 'product', entityId: sku };
      if (/contact/.test(reason) && !isGuestOrder(order))
        return { entity: 'customer', entityId: String(order.customer_id) };
      return undefined;
    }
    case 'customer':
    case 'product':
      return undefined;
    default:
      return assertNever(item.entity);
  }
}

/** How long at most a Cron Job change waits parked for a record the store has not sent (its wait horizon if shorter). */
export const PARKED_HOLD_MAX_MS = 5 * 60_000;

/**
 * The store record a Cron Job change cannot be attempted before the store has sent it: a store invoice's order, a
 * credit memo's store invoice (or, naming none, its order). Xero delivery needs their Xero documents first, and
 * the store sends the records of one order on different topics, which syncers consume at their own paces.
 * Undefined for the other entity types.
 */
export function arrivalAwaitedBy(change: {
  entity: string;
  payload: unknown;
}): { entity: EntityName; entityId: string; label: string } | undefined {
  if (change.entity === 'invoice') {
    const invoice = change.payload as MagentoInvoice;
    return {
      entity: 'order',
      entityId: String(invoice.order_id),
      label: `order ${invoice.order_increment_id ?? invoice.order_id}`,
    };
  }
  // The store-side prerequisite a flush would wait for (libs/contracts), named the same way.
  if (change.entity === 'creditmemo') return creditMemoPrerequisite(change.payload as MagentoCreditMemo);
  return undefined;
}

/**
 * The state of a Cron Job change parked at intake because the record it needs (`arrivalAwaitedBy`) has not arrived:
 * waiting, without an attempt, for that record's sync to wake it (noted as a dependency wait), or at the latest
 * after `holdMs`, when a flush attempts it like any other (and, past the store's wait horizon, which counts from
 * now, fails it naming what it waited for).
 */
export function parkedState(label: string, awaitedId: string, holdMs: number, now = new Date()): PendingChangeState {
  const reason = `waiting for ${label} to arrive from the store`;
  return {
    status: 'waiting',
    attempts: 0,
    waitingOn: reason,
    lastError: reason,
    waitingFor: awaitedId,
    waitingSince: now,
    nextAttemptAt: new Date(now.getTime() + holdMs),
  };
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
