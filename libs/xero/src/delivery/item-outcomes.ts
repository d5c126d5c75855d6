import type { EntityName } from '@xero-sync/contracts';
import { xeroDeepLink, XeroDeepLinkKind } from '../deep-link';
import { roundTo } from '../mapping/money';
import { MappedTotals } from '../mapping/xero-documents';
import { CallNotStartedError, XeroError } from '../xero.errors';
import { DeliveryAction, DeliveryItem, DeliveryResult, DeliveryStatus } from './delivery.types';

/** Codes that mean "not now" rather than "not this": the rest of the run is deferred without calling. */
export const STOP_CODES = new Set(['RATE_LIMITED', 'CIRCUIT_OPEN', 'DISCONNECTED', 'NOT_CONNECTED']);

/**
 * Why a record that `err` kept out of Xero holds the records that need it, in words for their queue reason: a
 * deferral (rate budget, breaker, connection) is said as such, not as if Xero had refused the record.
 */
export function heldBecause(err: XeroError): string {
  if (STOP_CODES.has(err.code) || err instanceof CallNotStartedError) return `was deferred (${err.message})`;
  return err.code === 'DEPENDENCY_FAILED' ? `is waiting: ${err.message}` : `was refused by Xero: ${err.message}`;
}

/** Extras of a finished item: the Xero document it ended up as, or the error that decided it. */
export interface FinishExtra {
  xeroId?: string;
  kind?: XeroDeepLinkKind;
  error?: XeroError;
}

/**
 * The result of every item of one run. An item is decided once (the first finish wins); items never decided are
 * answered 'deferred' with the reason the run stopped. Calls are charged in shares (a batch of n costs 1/n each).
 */
export class ItemOutcomes {
  private readonly started = Date.now();
  private readonly done = new Map<DeliveryItem, DeliveryResult>();
  private readonly calls = new Map<DeliveryItem, number>();
  private readonly totals = new Map<DeliveryItem, MappedTotals>();
  private stoppedBy?: XeroError;
  /**
   * The org's short code, for "View On Xero" links (known once the run has checked the connection); without it
   * the links open the document in the user's current org.
   */
  shortCode?: string;

  constructor(readonly items: DeliveryItem[]) {}

  /** Why the run stopped calling Xero, if it did. */
  get stopped(): XeroError | undefined {
    return this.stoppedBy;
  }

  /** Stops the run: no further call starts; undecided items are deferred with this error. */
  stop(err: XeroError, keepEarlier = false): void {
    if (keepEarlier && this.stoppedBy) return;
    this.stoppedBy = err;
  }

  /** Undecided items of one entity, in delivery order. */
  pending<E extends EntityName>(entity: E): DeliveryItem<E>[] {
    return this.items.filter((i): i is DeliveryItem<E> => i.entity === entity && !this.done.has(i));
  }

  /** True when the record is part of this delivery and did not reach Xero (waiting, failed, deferred, undecided). */
  heldBack(entity: EntityName, entityId: string): boolean {
    const item = this.items.find((i) => i.entity === entity && i.entityId === entityId);
    if (!item) return false;
    const status = this.done.get(item)?.status;
    return status !== 'synced' && status !== 'unchanged';
  }

  finish(
    item: DeliveryItem,
    status: DeliveryStatus,
    action: DeliveryAction | undefined,
    message: string,
    extra: FinishExtra = {},
  ): void {
    if (this.done.has(item)) return;
    this.done.set(item, {
      entity: item.entity,
      entityId: item.entityId,
      status,
      action,
      xeroId: extra.xeroId,
      xeroUrl: extra.xeroId && extra.kind ? xeroDeepLink(extra.kind, this.shortCode, extra.xeroId) : undefined,
      message,
      error: extra.error ? errorOf(extra.error) : undefined,
      calls: roundTo(this.calls.get(item) ?? 0, 4),
      durationMs: Date.now() - this.started,
    });
  }

  /** Stop codes and calls never started defer, a failed dependency waits, anything else fails. */
  fail(item: DeliveryItem, err: unknown): void {
    const e =
      err instanceof XeroError ? err : new XeroError('VALIDATION', err instanceof Error ? err.message : String(err));
    const status: DeliveryStatus =
      STOP_CODES.has(e.code) || e instanceof CallNotStartedError
        ? 'deferred'
        : e.code === 'DEPENDENCY_FAILED'
          ? 'waiting'
          : 'failed';
    this.finish(item, status, undefined, e.message, { error: e });
  }

  /** The item waits for a dependency (no call made for it). */
  wait(item: DeliveryItem, message: string): void {
    this.fail(item, new XeroError('DEPENDENCY_FAILED', message));
  }

  /** A record another delivery is writing: not touched by this run. */
  busy(entity: string, entityId: string, err: XeroError): void {
    for (const item of this.items)
      if (item.entity === entity && item.entityId === entityId)
        this.finish(item, 'deferred', undefined, err.message, { error: err });
  }

  /** Charges one call shared by `items` (each gets `share`). */
  charge(items: DeliveryItem[], share: number): void {
    for (const i of items) this.calls.set(i, (this.calls.get(i) ?? 0) + share);
  }

  /** Remembers the totals Xero will compute for an item's document (shown by the dry-run). */
  noteTotals(item: DeliveryItem, totals: MappedTotals): void {
    this.totals.set(item, totals);
  }

  totalsOf(item: DeliveryItem): MappedTotals | undefined {
    return this.totals.get(item);
  }

  results(): DeliveryResult[] {
    return this.items.map(
      (item) =>
        this.done.get(item) ?? {
          entity: item.entity,
          entityId: item.entityId,
          status: 'deferred',
          message: this.stoppedBy?.message ?? 'not attempted',
          error: this.stoppedBy ? errorOf(this.stoppedBy) : undefined,
          calls: 0,
          durationMs: Date.now() - this.started,
        },
    );
  }
}

function errorOf(e: XeroError): DeliveryResult['error'] {
  return { code: e.code, retryable: e.retryable, retryAfterMs: e.retryAfterMs };
}
