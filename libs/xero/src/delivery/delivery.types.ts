import type { EntityName, EntityPayloads } from '@xero-sync/contracts';
import type { DeliveryPriority } from '../limiter/org-rate-budget';
import type { CallClass } from '../client/xero-call.types';
import type { XeroErrorCode } from '../xero.errors';

/** One store entity to write to Xero (the syncer hands over parsed event payloads). */
export interface DeliveryItem<E extends EntityName = EntityName> {
  entity: E;
  entityId: string;
  payload: EntityPayloads[E];
  eventId: string;
  correlationId?: string;
}

/**
 * synced = written (or deliberately left alone, see message); unchanged = same content as last synced, no
 * call; failed = Xero (or the mapping) refused it, see error; waiting = a dependency failed or is not synced
 * yet; deferred = not attempted now (rate budget, breaker open, org disconnected / not connected).
 */
export type DeliveryStatus = 'synced' | 'unchanged' | 'failed' | 'waiting' | 'deferred';
export type DeliveryAction = 'create' | 'update' | 'void' | 'delete' | 'payment' | 'allocate' | 'refund' | 'none';

export interface DeliveryResult {
  entity: EntityName;
  entityId: string;
  status: DeliveryStatus;
  action?: DeliveryAction;
  xeroId?: string;
  /** "View On Xero" deep link, when the org's short code is known. */
  xeroUrl?: string;
  /** 'OK' or Xero's own message(s). */
  message: string;
  error?: { code: XeroErrorCode; retryable: boolean; retryAfterMs?: number };
  /** This item's share of the calls made (a batch call of n elements counts 1/n for each). */
  calls: number;
  durationMs: number;
}

export interface DeliveryOptions {
  priority: DeliveryPriority;
  /** What the calls are counted as in the daily report (default 'sync'; Sync Now says 'sync-now'). */
  callClass?: CallClass;
  /**
   * Deadline for the whole delivery (default DEFAULT_DELIVERY_TIMEOUT_MS). No Xero call starts after it; items
   * not reached by then are answered 'deferred'. The records' claims last this long plus one request timeout.
   */
  timeoutMs?: number;
}

export const DEFAULT_DELIVERY_TIMEOUT_MS = 300_000;
