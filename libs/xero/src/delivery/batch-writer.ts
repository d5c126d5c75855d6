import type { XeroLinkKey } from '@xero-sync/persistence';
import { sha256Hex } from '@xero-sync/security';
import { CallContext, CallOutcome, XeroAccountingClient, XeroElement } from '../client/xero-accounting.client';
import type { CallClass } from '../client/xero-call.types';
import { CallLane, DeliveryPriority } from '../limiter/org-rate-budget';
import { CallNotStartedError, elementErrors, XeroError } from '../xero.errors';
import { DeliveryItem } from './delivery.types';
import { ItemOutcomes, STOP_CODES } from './item-outcomes';
import { LinkLedger } from './link-ledger';
import { hashOf, str } from './xero-values';

/** The Xero calls stages make: XeroAccountingClient in delivery, a recorder in the dry-run and unit specs. */
export type XeroTransport = Pick<
  XeroAccountingClient,
  | 'upsertContacts'
  | 'upsertItems'
  | 'upsertInvoices'
  | 'upsertCreditNotes'
  | 'createPayments'
  | 'createAllocation'
  | 'getContactsByNumbers'
  | 'getInvoicesByNumbers'
  | 'getPaymentsWhere'
  | 'getCreditNote'
>;

/** One element of a batch write and what to do with its answer. */
export interface Entry {
  /** Items whose result this element decides (derived contacts/items decide none directly). */
  items: DeliveryItem[];
  link: XeroLinkKey;
  businessKey: string;
  hash: string;
  body: object;
  /** Write a durable pending marker before the call (creates that are not idempotent by business key). */
  pending?: boolean;
  onOk: (el: XeroElement) => Promise<void> | void;
  onFail: (err: XeroError) => Promise<void> | void;
}

/** How one kind of element is sent: the Idempotency-Key's action name, the budget lane, the answer's key field. */
export interface BatchSpec {
  action: string;
  lane: CallLane;
  keyField: string;
  send: (bodies: object[], call: CallContext) => Promise<CallOutcome<XeroElement[]>>;
}

/**
 * How a write may share calls with a later write of the same endpoint in this run: `pool` names the shared
 * endpoint; `keepTail` keeps a last batch short of the element limit back for that later write when every entry in
 * it may wait (the run sends whatever is still kept at its end).
 */
export interface ShareOptions {
  pool: string;
  keepTail?: (entry: Entry) => boolean;
}

export interface BatchLimits {
  batchSize: number;
  maxBytes: number;
}

/** Splits entries into batches of ≤ batchSize elements and ≤ 95 % of maxBytes of JSON (Xero's limit is 3.5 MB). */
export function chunkEntries(entries: Entry[], limits: BatchLimits): Entry[][] {
  const chunks: Entry[][] = [];
  let current: Entry[] = [];
  let bytes = 0;
  for (const e of entries) {
    const size = Buffer.byteLength(JSON.stringify(e.body));
    if (current.length > 0 && (current.length >= limits.batchSize || bytes + size > limits.maxBytes * 0.95)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/**
 * Sends a run's elements to Xero: batches in parallel (the org budget caps concurrency), each with an
 * Idempotency-Key over store, action and the elements' content and sent body, pending markers made durable first;
 * each element's answer goes to its entry, matched by business key (else by position). Calls are charged to the
 * items in shares; a stop code (rate budget, breaker, connection) stops the run.
 */
export class BatchWriter {
  constructor(
    readonly xero: XeroTransport,
    private readonly outcomes: ItemOutcomes,
    private readonly links: LinkLedger,
    private readonly opts: BatchLimits & {
      storeId: string;
      priority: DeliveryPriority;
      callClass?: CallClass;
      signal: AbortSignal;
    },
  ) {}

  /** Most elements one call carries. */
  get batchSize(): number {
    return this.opts.batchSize;
  }

  call(lane: CallLane, idempotencyKey?: string): CallContext {
    return {
      priority: this.opts.priority,
      lane,
      callClass: this.opts.callClass,
      idempotencyKey,
      signal: this.opts.signal,
    };
  }

  /** Entries kept back by a write with `keepTail`, by pool, with the spec to send them by. */
  private readonly kept = new Map<string, { entries: Entry[]; spec: BatchSpec }>();

  /**
   * Sends `entries` in batches. With `share`, entries an earlier write kept back in the same pool go first, and
   * with `keepTail` a last batch short of the element limit whose entries may all wait is kept back instead of
   * sent: a half-empty batch of payments, sent on its own, costs a call that the run's refunds can fill.
   */
  async write(entries: Entry[], spec: BatchSpec, share?: ShareOptions): Promise<void> {
    const carried = share ? (this.kept.get(share.pool)?.entries ?? []) : [];
    if (share) this.kept.delete(share.pool);
    const keep = share?.keepTail;
    // Entries that may not wait go first, so a kept tail holds only entries that may.
    const ordered = keep ? [...entries.filter((e) => !keep(e)), ...entries.filter(keep)] : entries;
    const chunks = chunkEntries([...carried, ...ordered], this.opts);
    const tail = chunks[chunks.length - 1];
    if (share && keep && tail && tail.length < this.opts.batchSize && tail.every(keep)) {
      chunks.pop();
      this.kept.set(share.pool, { entries: tail, spec });
    }
    await Promise.all(chunks.map((chunk) => this.writeChunk(chunk, spec)));
  }

  /** Sends what writes kept back and no later write took (the end of a run). */
  async flushKept(): Promise<void> {
    const kept = [...this.kept.values()];
    this.kept.clear();
    await Promise.all(kept.map(({ entries, spec }) => this.write(entries, spec)));
  }

  /** Runs one lookup/allocation call charged to `items`; stop codes stop the run and are rethrown. */
  async single<T>(items: DeliveryItem[], fn: () => Promise<CallOutcome<T>>): Promise<T> {
    if (this.outcomes.stopped) throw this.outcomes.stopped;
    try {
      const out = await fn();
      this.outcomes.charge(items, 1 / Math.max(1, items.length));
      return out.body;
    } catch (err) {
      if (err instanceof XeroError && err.status !== undefined)
        this.outcomes.charge(items, 1 / Math.max(1, items.length));
      if (err instanceof XeroError && STOP_CODES.has(err.code)) this.outcomes.stop(err);
      throw err;
    }
  }

  private async writeChunk(chunk: Entry[], spec: BatchSpec): Promise<void> {
    if (this.outcomes.stopped) return;
    await this.links.markPendingMany(
      chunk.filter((e) => e.pending).map((e) => ({ key: e.link, businessKey: e.businessKey, hash: e.hash })),
    );
    const idem = sha256Hex(
      // The sent body (with any Xero id found) is part of the key: Xero refuses a key reused for another body.
      [
        this.opts.storeId,
        spec.action,
        ...chunk.map((e) => `${e.link.entity}:${e.link.entityId}:${e.hash}:${hashOf(e.body)}`),
      ].join('|'),
    );
    const charged = chunk.flatMap((e) => e.items);
    let out: CallOutcome<XeroElement[]>;
    try {
      out = await spec.send(
        chunk.map((e) => e.body),
        this.call(spec.lane, idem),
      );
    } catch (err) {
      const e = err instanceof XeroError ? err : new XeroError('UNAVAILABLE', (err as Error).message);
      if (e instanceof CallNotStartedError) return; // out of time, nothing sent: the items stay deferred
      if (e.status !== undefined) this.outcomes.charge(charged, 1 / Math.max(1, charged.length));
      if (STOP_CODES.has(e.code)) this.outcomes.stop(e);
      for (const entry of chunk) await entry.onFail(e);
      return;
    }
    this.outcomes.charge(charged, 1 / Math.max(1, charged.length));
    const byKey = new Map<string, XeroElement>();
    for (const el of out.body) {
      const k = str(el[spec.keyField]);
      if (k) byKey.set(k.toLowerCase(), el);
    }
    for (let i = 0; i < chunk.length; i++) {
      const entry = chunk[i];
      const el = byKey.get(entry.businessKey.toLowerCase()) ?? out.body[i];
      const errs = el ? elementErrors(el) : ['Xero returned no element for this item'];
      if (!el || errs.length > 0 || el.StatusAttributeString === 'ERROR') {
        await entry.onFail(
          new XeroError('VALIDATION', errs.join('; ') || 'Xero rejected the element', { xeroMessages: errs }),
        );
      } else {
        await entry.onOk(el);
      }
    }
  }
}
