import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import { creditMemoPrerequisite } from '@xero-sync/contracts';
import type { EntityName, MagentoCreditMemo, MagentoOrder } from '@xero-sync/contracts';
import {
  leaseKeys,
  LeaseRepository,
  StoreSettings,
  StoreSettingsRepository,
  XeroLinkKey,
  XeroLinkRecord,
  XeroLinkRepository,
  XeroLinkUpdate,
} from '@xero-sync/persistence';
import { sha256Hex, stableStringify } from '@xero-sync/security';
import { randomUUID } from 'node:crypto';
import { CallContext, CallOutcome, XeroAccountingClient, XeroElement } from '../client/xero-accounting.client';
import { xeroDeepLink, XeroDeepLinkKind } from '../deep-link';
import { CallLane, DeliveryPriority } from '../limiter/org-rate-budget';
import {
  contactEntityIdForOrder,
  isNameCollision,
  mapCustomerContact,
  mapOrderContact,
  nameWithEmail,
} from '../mapping/contact.mapper';
import { mapCreditMemoCreditNote } from '../mapping/credit-note.mapper';
import { billableItems, mapOrderInvoice } from '../mapping/invoice.mapper';
import { itemCodeFor, mapOrderLineItem, mapProductItem } from '../mapping/item.mapper';
import { cents, fromCents, roundTo } from '../mapping/money';
import { mapAllocation, mapCreditNoteRefund, mapInvoicePayment, paymentAccountFor } from '../mapping/payment.mapper';
import { XeroContactJson, XeroItemJson } from '../mapping/xero-documents';
import { XeroConnectionService } from '../tokens/xero-connection.service';
import { CallNotStartedError, elementErrors, XeroError } from '../xero.errors';
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_BATCH_BYTES, XERO_OPTIONS, XeroModuleOptions } from '../xero.options';
import {
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DeliveryAction,
  DeliveryItem,
  DeliveryOptions,
  DeliveryResult,
  DeliveryStatus,
} from './delivery.types';

type Json = Record<string, unknown>;

/** One element of a batch write and what to do with its answer. */
interface Entry {
  /** Items whose result this element decides (derived contacts/items decide none directly). */
  items: DeliveryItem[];
  link: XeroLinkKey;
  businessKey: string;
  hash: string;
  body: object;
  /** Write a durable pending marker before the call (creates that are not idempotent by business key). */
  pending?: boolean;
  onOk: (el: XeroElement) => Promise<void>;
  onFail: (err: XeroError) => Promise<void>;
}

/** Codes that mean "not now" rather than "not this": the rest of the run is deferred without calling. */
const STOP_CODES = new Set(['RATE_LIMITED', 'CIRCUIT_OPEN', 'DISCONNECTED', 'NOT_CONNECTED']);

/** Slack on top of deadline + one request before a record claim of a vanished syncer lapses. */
const CLAIM_MARGIN_MS = 10_000;
/** How soon a record found busy (claimed by another delivery) is tried again. */
const BUSY_RETRY_MS = 2_000;

function hashOf(body: object): string {
  return sha256Hex(stableStringify(body));
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

function numOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The only way the syncer writes to Xero. See DeliveryResult for the statuses. Per run: contacts and items
 * first (derived from orders when the store did not send them), then invoices (create/update, void/delete on
 * cancel), then payments, then credit notes with their allocation or refund. Batches ≤ 50 elements and ≤ 3.5 MB,
 * summarizeErrors=false, results mapped back per element; unchanged content (hash in xero_links) costs no call;
 * a leftover pending marker (an answer that may have been lost) makes the next attempt look the business key
 * up in Xero before writing anything that could duplicate.
 *
 * Exclusivity: a run first claims every record it was given (`record:` leases); a record another
 * delivery is still writing is answered 'deferred'. A run never starts a Xero call after its deadline, and its
 * claims outlive the deadline by one request timeout, so a claim that lapses (its syncer was killed) can only
 * be taken over once nothing of the old run can still reach Xero; the pending markers then say what to look up.
 */
@Injectable()
export class XeroDeliveryService {
  private readonly logger = new Logger(XeroDeliveryService.name);
  private readonly instance: string;

  constructor(
    private readonly client: XeroAccountingClient,
    private readonly links: XeroLinkRepository,
    private readonly settings: StoreSettingsRepository,
    private readonly connections: XeroConnectionService,
    private readonly claims: LeaseRepository,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(XERO_OPTIONS) private readonly options: XeroModuleOptions = {},
  ) {
    this.instance = config.SYNCER_INSTANCE_ID;
  }

  /**
   * Delivers items for one store with its `settings` (the caller's read); never throws for per-item problems
   * (each item gets a result).
   */
  async deliver(settings: StoreSettings, items: DeliveryItem[], opts: DeliveryOptions): Promise<DeliveryResult[]> {
    const storeId = settings.storeId;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      const run = new DeliveryRun(
        storeId,
        settings,
        opts.priority,
        items,
        this.client,
        this.links,
        this.connections,
        this.options,
        this.logger,
        deadline.signal,
      );
      await this.claimed(run, storeId, items, timeoutMs + this.client.requestTimeoutMs + CLAIM_MARGIN_MS);
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
      run.busy(
        item.entity,
        item.entityId,
        new XeroError('UNAVAILABLE', 'another delivery of this record is in progress; it will be tried again', {
          retryAfterMs: BUSY_RETRY_MS,
        }),
      );
    }
    try {
      await run.execute();
    } finally {
      await this.claims.releaseMany(held).catch((err: unknown) => {
        // Unreleased claims lapse at their expiry; the records wait until then.
        this.logger.warn(`could not release ${held.length} delivery claims: ${String(err)}`);
      });
    }
  }
}

class DeliveryRun {
  private readonly started = Date.now();
  private readonly done = new Map<DeliveryItem, DeliveryResult>();
  private readonly calls = new Map<DeliveryItem, number>();
  private stopped?: XeroError;
  private readonly tenantId?: string;
  private shortCode?: string;
  /** contact entity id → ContactID; failed contact ids. */
  private readonly contactIds = new Map<string, string>();
  private readonly failedContacts = new Set<string>();
  /** SKU → Item Code (synced); failed SKUs. */
  private readonly itemCodes = new Map<string, string>();
  private readonly failedSkus = new Set<string>();
  /** Order links by order entity id, kept current through the run (amounts after payments/credits). */
  private readonly orderLinks = new Map<string, XeroLinkRecord>();
  private readonly batchSize: number;
  private readonly maxBytes: number;
  /** Links known to exist in MongoDB (loaded or written this run). */
  private readonly known = new Set<string>();
  /** Link writes staged during a stage, flushed once at its end (one insertMany for new links). */
  private readonly staged = new Map<string, { key: XeroLinkKey; set: XeroLinkUpdate; synced: boolean }>();
  /** Serialises this run's own MongoDB writes (FerretDB handles concurrent writes poorly). */
  private dbChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storeId: string,
    private readonly settings: StoreSettings,
    private readonly priority: DeliveryPriority,
    private readonly items: DeliveryItem[],
    private readonly client: XeroAccountingClient,
    private readonly links: XeroLinkRepository,
    private readonly connections: XeroConnectionService,
    options: XeroModuleOptions,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {
    this.tenantId = settings.xeroTenantId;
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.maxBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    signal.addEventListener(
      'abort',
      () => {
        this.stopped ??= new XeroError('UNAVAILABLE', 'the delivery ran out of time; the rest will be tried again', {
          retryAfterMs: 0,
        });
      },
      { once: true },
    );
  }

  /** A record another delivery is writing: not touched by this run. */
  busy(entity: string, entityId: string, err: XeroError): void {
    for (const item of this.items)
      if (item.entity === entity && item.entityId === entityId)
        this.finish(item, 'deferred', undefined, err.message, { error: err });
  }

  results(): DeliveryResult[] {
    return this.items.map(
      (item) =>
        this.done.get(item) ?? {
          entity: item.entity,
          entityId: item.entityId,
          status: 'deferred',
          message: this.stopped?.message ?? 'not attempted',
          error: this.stopped ? errorOf(this.stopped) : undefined,
          calls: 0,
          durationMs: Date.now() - this.started,
        },
    );
  }

  async execute(): Promise<void> {
    const enabled = new Set(this.settings.entitiesEnabled);
    for (const item of this.items) {
      if (!enabled.has(item.entity))
        this.finish(item, 'unchanged', 'none', `${item.entity} sync is disabled for this store`);
    }
    if (!this.tenantId) {
      this.stopped = new XeroError('NOT_CONNECTED', `store ${this.storeId} is not bound to a Xero org`);
      return;
    }
    const status = await this.connections.tenantStatus(this.tenantId);
    if (status !== 'connected') {
      this.stopped = new XeroError(
        status === 'disconnected' ? 'DISCONNECTED' : 'NOT_CONNECTED',
        status === 'disconnected'
          ? 'the Xero org is disconnected; work waits until it is reconnected'
          : 'the Xero org is not connected',
      );
      return;
    }
    if (this.client.breakerState(this.tenantId) === 'open') {
      this.stopped = new XeroError('CIRCUIT_OPEN', 'Xero looks unavailable for this org; calls are paused');
      return;
    }
    this.shortCode = await this.connections.shortCode(this.tenantId);
    try {
      for (const stage of [this.contacts, this.products, this.invoices, this.payments, this.creditNotes]) {
        await stage.call(this);
        await this.flush();
      }
    } catch (err) {
      if (err instanceof XeroError && STOP_CODES.has(err.code)) this.stopped = err;
      else if (!(err instanceof CallNotStartedError)) throw err;
    } finally {
      await this.flush();
    }
  }

  // ---------- helpers ----------

  private pending<E extends EntityName>(entity: E): DeliveryItem<E>[] {
    return this.items.filter((i): i is DeliveryItem<E> => i.entity === entity && !this.done.has(i));
  }

  private ctx(lane: CallLane, idempotencyKey?: string): CallContext {
    return { priority: this.priority, lane, idempotencyKey, signal: this.signal };
  }

  private finish(
    item: DeliveryItem,
    status: DeliveryStatus,
    action: DeliveryAction | undefined,
    message: string,
    extra: { xeroId?: string; kind?: XeroDeepLinkKind; error?: XeroError } = {},
  ): void {
    if (this.done.has(item)) return;
    this.done.set(item, {
      entity: item.entity,
      entityId: item.entityId,
      status,
      action,
      xeroId: extra.xeroId,
      xeroUrl:
        extra.xeroId && extra.kind && this.shortCode
          ? xeroDeepLink(extra.kind, this.shortCode, extra.xeroId)
          : undefined,
      message,
      error: extra.error ? errorOf(extra.error) : undefined,
      calls: roundTo(this.calls.get(item) ?? 0, 4),
      durationMs: Date.now() - this.started,
    });
  }

  private fail(item: DeliveryItem, err: unknown): void {
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

  private wait(item: DeliveryItem, message: string): void {
    this.fail(item, new XeroError('DEPENDENCY_FAILED', message));
  }

  private charge(items: DeliveryItem[], share: number): void {
    for (const i of items) this.calls.set(i, (this.calls.get(i) ?? 0) + share);
  }

  private key(entity: string, entityId: string): XeroLinkKey {
    return { storeId: this.storeId, entity, entityId };
  }

  private async linkMap(entity: string, ids: string[]): Promise<Map<string, XeroLinkRecord>> {
    const found = await this.links.findMany(this.storeId, entity, [...new Set(ids)]);
    for (const l of found) this.known.add(linkId(l));
    return new Map(found.map((l) => [l.entityId, l]));
  }

  /** Stages a link write; `synced` clears the pending marker and stamps lastSyncedAt. */
  private stage(key: XeroLinkKey, set: XeroLinkUpdate, synced = true): void {
    const id = linkId(key);
    const prev = this.staged.get(id);
    this.staged.set(id, { key, set: { ...(prev?.set ?? {}), ...set }, synced: synced || (prev?.synced ?? false) });
  }

  private stageFailure(key: XeroLinkKey, message: string): void {
    if (this.known.has(linkId(key))) this.stage(key, { lastError: message }, false);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.dbChain.then(fn, fn);
    this.dbChain = next.catch(() => undefined);
    return next;
  }

  /** Writes staged links: new ones in one insertMany, existing ones one update each. */
  private flush(): Promise<void> {
    return this.serial(async () => {
      const all = [...this.staged.values()];
      this.staged.clear();
      const fresh = all.filter((w) => !this.known.has(linkId(w.key)) && w.set.tenantId && w.set.businessKey);
      const existing = all.filter((w) => !fresh.includes(w));
      const clashed = await this.links.insertNew(
        fresh.map((w) => ({ ...w.key, ...w.set, tenantId: w.set.tenantId!, businessKey: w.set.businessKey! })),
      );
      for (const w of fresh) this.known.add(linkId(w.key));
      const retry = fresh.filter((w) => clashed.some((c) => linkId(c) === linkId(w.key)));
      for (const w of [...existing, ...retry]) {
        if (w.synced) await this.links.markSynced(w.key, w.set);
        else await this.links.update(w.key, w.set);
      }
    });
  }

  /** Makes a pending marker durable before a non-idempotent write. */
  private markPending(key: XeroLinkKey, businessKey: string, hash: string): Promise<void> {
    return this.serial(async () => {
      if (this.known.has(linkId(key))) {
        await this.links.markPending(key, this.tenantId!, businessKey, hash);
        return;
      }
      const clashed = await this.links.insertNew([
        { ...key, tenantId: this.tenantId!, businessKey, pendingHash: hash, pendingAt: new Date() },
      ]);
      if (clashed.length) await this.links.markPending(key, this.tenantId!, businessKey, hash);
      this.known.add(linkId(key));
    });
  }

  /** Runs one lookup/allocation call charged to `items`; stop codes abort the run. */
  private async single<T>(items: DeliveryItem[], fn: () => Promise<CallOutcome<T>>): Promise<T> {
    if (this.stopped) throw this.stopped;
    try {
      const out = await fn();
      this.charge(items, 1 / Math.max(1, items.length));
      return out.body;
    } catch (err) {
      if (err instanceof XeroError && err.status !== undefined) this.charge(items, 1 / Math.max(1, items.length));
      if (err instanceof XeroError && STOP_CODES.has(err.code)) this.stopped = err;
      throw err;
    }
  }

  /**
   * Writes entries in batches (≤ batchSize, ≤ maxBytes), chunks in parallel (the org budget caps concurrency),
   * then hands each element's answer to its entry, matched by business key (else by position).
   */
  private async writeBatches(
    entries: Entry[],
    action: string,
    lane: CallLane,
    keyField: string,
    send: (bodies: object[], ctx: CallContext) => Promise<CallOutcome<XeroElement[]>>,
  ): Promise<void> {
    const chunks: Entry[][] = [];
    let current: Entry[] = [];
    let bytes = 0;
    for (const e of entries) {
      const size = Buffer.byteLength(JSON.stringify(e.body));
      if (current.length > 0 && (current.length >= this.batchSize || bytes + size > this.maxBytes * 0.95)) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(e);
      bytes += size;
    }
    if (current.length) chunks.push(current);
    await Promise.all(
      chunks.map(async (chunk) => {
        if (this.stopped) return;
        for (const e of chunk) if (e.pending) await this.markPending(e.link, e.businessKey, e.hash);
        const idem = sha256Hex(
          // The sent body (with any Xero id found) is part of the key: Xero refuses a key reused for another body.
          [
            this.storeId,
            action,
            ...chunk.map((e) => `${e.link.entity}:${e.link.entityId}:${e.hash}:${hashOf(e.body)}`),
          ].join('|'),
        );
        let out: CallOutcome<XeroElement[]>;
        const charged = chunk.flatMap((e) => e.items);
        try {
          out = await send(
            chunk.map((e) => e.body),
            this.ctx(lane, idem),
          );
        } catch (err) {
          const e = err instanceof XeroError ? err : new XeroError('UNAVAILABLE', (err as Error).message);
          if (e instanceof CallNotStartedError) return; // out of time, nothing sent: the items stay deferred
          if (e.status !== undefined) this.charge(charged, 1 / Math.max(1, charged.length));
          if (STOP_CODES.has(e.code)) this.stopped = e;
          for (const entry of chunk) await entry.onFail(e);
          return;
        }
        this.charge(charged, 1 / Math.max(1, charged.length));
        const byKey = new Map<string, XeroElement>();
        for (const el of out.body) {
          const k = str(el[keyField]);
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
      }),
    );
  }

  // ---------- contacts ----------

  private async contacts(): Promise<void> {
    const mapping = this.settings.mapping;
    const customers = this.pending('customer');
    const orders = this.pending('order');
    const wanted = new Map<
      string,
      { items: DeliveryItem[]; build: (name?: string) => XeroContactJson; email: string; derived: boolean }
    >();
    for (const c of customers) {
      const p = c.payload;
      wanted.set(String(p.id), {
        items: [c],
        build: (n) => mapCustomerContact(p, mapping, n),
        email: p.email,
        derived: false,
      });
    }
    for (const o of orders) {
      const p = o.payload;
      const id = contactEntityIdForOrder(p);
      if (!wanted.has(id))
        wanted.set(id, {
          items: [],
          build: (n) => mapOrderContact(p, mapping, n),
          email: p.customer_email,
          derived: true,
        });
    }
    if (wanted.size === 0) return;
    const links = await this.linkMap('customer', [...wanted.keys()]);
    const entries: Entry[] = [];
    const lostNumbers: string[] = [];
    const plans: { id: string; w: typeof wanted extends Map<string, infer V> ? V : never; link?: XeroLinkRecord }[] =
      [];
    for (const [id, w] of wanted) {
      const link = links.get(id);
      if (link?.xeroId) this.contactIds.set(id, link.xeroId);
      if (w.derived && link?.xeroId) continue; // an order never overwrites a known contact
      plans.push({ id, w, link });
      if (link && !link.xeroId && link.pendingHash) lostNumbers.push(link.businessKey);
    }
    const found = new Map<string, string>();
    if (lostNumbers.length) {
      // An earlier create may have succeeded without us hearing: find it by ContactNumber first.
      const rows = await this.single([], () =>
        this.client.getContactsByNumbers(this.tenantId!, lostNumbers, this.ctx('master')),
      );
      for (const r of rows)
        if (str(r.ContactNumber) && str(r.ContactID)) found.set(str(r.ContactNumber)!.toLowerCase(), str(r.ContactID)!);
    }
    const collided: typeof plans = [];
    const build = (plan: (typeof plans)[number], name?: string): Entry | undefined => {
      const body = plan.w.build(name ?? plan.link?.name);
      const hash = hashOf(body);
      const xeroId = plan.link?.xeroId ?? found.get(body.ContactNumber.toLowerCase());
      if (plan.link?.xeroId && plan.link.contentHash === hash) {
        for (const i of plan.w.items) this.finish(i, 'unchanged', 'none', 'OK', { xeroId, kind: 'contact' });
        return undefined;
      }
      return {
        items: plan.w.items,
        link: this.key('customer', plan.id),
        businessKey: body.ContactNumber,
        hash,
        body: xeroId ? { ContactID: xeroId, ...body } : body,
        onOk: async (el) => {
          const cid = str(el.ContactID)!;
          this.contactIds.set(plan.id, cid);
          this.stage(this.key('customer', plan.id), {
            tenantId: this.tenantId!,
            businessKey: body.ContactNumber,
            xeroId: cid,
            contentHash: hash,
            name: body.Name,
          });
          for (const i of plan.w.items)
            this.finish(i, 'synced', xeroId ? 'update' : 'create', 'OK', { xeroId: cid, kind: 'contact' });
        },
        onFail: async (err) => {
          if (!name && err.code === 'VALIDATION' && (err.xeroMessages ?? []).some(isNameCollision)) {
            collided.push(plan);
            return;
          }
          this.failedContacts.add(plan.id);
          this.stageFailure(this.key('customer', plan.id), err.message);
          for (const i of plan.w.items) this.fail(i, err);
        },
      };
    };
    for (const plan of plans) {
      const e = build(plan);
      if (e) entries.push(e);
    }
    const send = (bodies: object[], ctx: CallContext) =>
      this.client.upsertContacts(this.tenantId!, bodies as XeroContactJson[], ctx);
    await this.writeBatches(entries, 'contacts', 'master', 'ContactNumber', send);
    if (collided.length) {
      // Xero contact names are unique: a second person with the same name gets their email added.
      const retry = collided
        .map((p) => build(p, nameWithEmail(p.w.build().Name, p.w.email)))
        .filter((e): e is Entry => !!e);
      await this.writeBatches(retry, 'contacts-renamed', 'master', 'ContactNumber', send);
    }
  }

  // ---------- items ----------

  private async products(): Promise<void> {
    const mapping = this.settings.mapping;
    const products = this.pending('product');
    const orders = this.pending('order');
    const wanted = new Map<string, { items: DeliveryItem[]; body: XeroItemJson; derived: boolean }>();
    for (const p of products) {
      const payload = p.payload;
      wanted.set(payload.sku, { items: [p], body: mapProductItem(payload, mapping), derived: false });
    }
    for (const o of orders) {
      for (const line of billableItems(o.payload)) {
        if (!wanted.has(line.sku))
          wanted.set(line.sku, { items: [], body: mapOrderLineItem(line, mapping), derived: true });
      }
    }
    if (wanted.size === 0) return;
    const links = await this.linkMap('product', [...wanted.keys()]);
    const entries: Entry[] = [];
    for (const [sku, w] of wanted) {
      const link = links.get(sku);
      const code = link?.businessKey ?? itemCodeFor(sku);
      const body = { ...w.body, Code: code };
      if (link?.xeroId) this.itemCodes.set(sku, code);
      if (w.derived && link?.xeroId) continue;
      const hash = hashOf(body);
      if (link?.xeroId && link.contentHash === hash) {
        for (const i of w.items) this.finish(i, 'unchanged', 'none', 'OK', { xeroId: link.xeroId, kind: 'item' });
        continue;
      }
      // Item Code is the business key: POST /Items updates the item with that code, so a retry never duplicates.
      entries.push({
        items: w.items,
        link: this.key('product', sku),
        businessKey: code,
        hash,
        body,
        onOk: async (el) => {
          const id = str(el.ItemID)!;
          this.itemCodes.set(sku, code);
          this.stage(this.key('product', sku), {
            tenantId: this.tenantId!,
            businessKey: code,
            xeroId: id,
            contentHash: hash,
          });
          for (const i of w.items)
            this.finish(i, 'synced', link?.xeroId ? 'update' : 'create', 'OK', { xeroId: id, kind: 'item' });
        },
        onFail: async (err) => {
          this.failedSkus.add(sku);
          this.stageFailure(this.key('product', sku), err.message);
          for (const i of w.items) this.fail(i, err);
        },
      });
    }
    await this.writeBatches(entries, 'items', 'master', 'Code', (bodies, ctx) =>
      this.client.upsertItems(this.tenantId!, bodies as XeroItemJson[], ctx),
    );
  }

  // ---------- invoices ----------

  private async invoices(): Promise<void> {
    const mapping = this.settings.mapping;
    const orders = this.pending('order');
    if (orders.length === 0) return;
    const links = await this.linkMap(
      'order',
      orders.map((o) => o.entityId),
    );
    const lost = orders.filter((o) => {
      const l = links.get(o.entityId);
      return l && !l.xeroId && l.pendingHash;
    });
    if (lost.length) {
      const numbers = lost.map((o) => links.get(o.entityId)!.businessKey);
      const rows = await this.single(lost, () =>
        this.client.getInvoicesByNumbers(this.tenantId!, numbers, this.ctx('invoice')),
      );
      for (const o of lost) {
        const l = links.get(o.entityId)!;
        const hit = rows.find((r) => str(r.InvoiceNumber)?.toLowerCase() === l.businessKey.toLowerCase());
        if (hit) links.set(o.entityId, { ...l, ...invoiceState(hit) });
      }
    }
    const entries: Entry[] = [];
    for (const item of orders) {
      const order = item.payload;
      const link = links.get(item.entityId);
      if (link) {
        this.orderLinks.set(item.entityId, link);
        this.noteStorePaid(item.entityId, order, link);
      }
      const invoiceId = link?.xeroId;
      if (order.state === 'canceled') {
        const e = this.cancelEntry(item, order, link);
        if (e) entries.push(e);
        continue;
      }
      const contactKey = contactEntityIdForOrder(order);
      const contactId = this.contactIds.get(contactKey);
      if (!contactId) {
        this.wait(
          item,
          this.failedContacts.has(contactKey) ? 'the contact could not be synced' : 'the contact is not synced yet',
        );
        continue;
      }
      const missing = billableItems(order).find((l) => !this.itemCodes.has(l.sku));
      if (missing) {
        this.wait(
          item,
          this.failedSkus.has(missing.sku)
            ? `item ${missing.sku} could not be synced`
            : `item ${missing.sku} is not synced yet`,
        );
        continue;
      }
      let mapped;
      try {
        mapped = mapOrderInvoice(order, mapping, {
          contact: { ContactID: contactId },
          itemCode: (sku) => this.itemCodes.get(sku)!,
        });
      } catch (err) {
        this.fail(item, err);
        continue;
      }
      const hash = hashOf(mapped.body);
      if (invoiceId && link?.contentHash === hash) {
        this.finish(item, 'unchanged', 'none', 'OK', { xeroId: invoiceId, kind: 'invoice' });
        continue;
      }
      if (link?.xeroStatus === 'VOIDED' || link?.xeroStatus === 'DELETED') {
        this.fail(
          item,
          new XeroError(
            'VALIDATION',
            `invoice ${link.businessKey} is ${link.xeroStatus} in Xero and its number cannot be reused`,
          ),
        );
        continue;
      }
      if (
        invoiceId &&
        (link?.xeroStatus === 'PAID' || (link?.amountPaid ?? 0) > 0 || (link?.amountCredited ?? 0) > 0)
      ) {
        // Xero locks paid/credited invoices ("not of valid status for modification"): never edit them.
        this.finish(
          item,
          'synced',
          'none',
          `invoice has payments or credits in Xero (${link?.xeroStatus}); not edited`,
          {
            xeroId: invoiceId,
            kind: 'invoice',
          },
        );
        continue;
      }
      const body = invoiceId ? { ...mapped.body, InvoiceID: invoiceId } : mapped.body;
      const storeTotal = mapped.totals.storeTotal;
      entries.push({
        items: [item],
        link: this.key('order', item.entityId),
        businessKey: mapped.body.InvoiceNumber,
        hash,
        body,
        onOk: async (el) => {
          const state = invoiceState(el);
          if (state.total !== undefined && cents(state.total) !== cents(storeTotal)) {
            this.logger.error(
              `invoice ${mapped.body.InvoiceNumber}: Xero total ${state.total} != store total ${storeTotal}`,
            );
          }
          const update = {
            tenantId: this.tenantId!,
            businessKey: mapped.body.InvoiceNumber,
            contentHash: hash,
            contactXeroId: contactId,
            currencyCode: order.order_currency_code,
            storePaid: order.total_paid ?? 0,
            ...state,
          };
          this.stage(this.key('order', item.entityId), update);
          this.orderLinks.set(item.entityId, {
            ...(link ?? ({} as XeroLinkRecord)),
            ...update,
            storeId: this.storeId,
            entity: 'order',
            entityId: item.entityId,
          });
          this.finish(item, 'synced', invoiceId ? 'update' : 'create', 'OK', { xeroId: state.xeroId, kind: 'invoice' });
        },
        onFail: async (err) => {
          this.stageFailure(this.key('order', item.entityId), err.message);
          this.fail(item, err);
        },
      });
    }
    await this.writeBatches(entries, 'invoices', 'invoice', 'InvoiceNumber', (bodies, ctx) =>
      this.client.upsertInvoices(this.tenantId!, bodies as never, ctx),
    );
  }

  /** Cancelled order: delete a draft, void an unpaid authorised invoice, leave a paid one alone. */
  private cancelEntry(item: DeliveryItem, order: MagentoOrder, link: XeroLinkRecord | undefined): Entry | undefined {
    const invoiceId = link?.xeroId;
    if (!invoiceId) {
      this.finish(item, 'synced', 'none', 'order cancelled before it reached Xero; nothing posted');
      return undefined;
    }
    const status = link.xeroStatus;
    if (status === 'VOIDED' || status === 'DELETED') {
      this.finish(item, 'unchanged', 'none', `invoice already ${status}`, { xeroId: invoiceId, kind: 'invoice' });
      return undefined;
    }
    if (status === 'PAID' || (link.amountPaid ?? 0) > 0 || (link.amountCredited ?? 0) > 0) {
      this.logger.warn(`order ${order.increment_id} cancelled but its Xero invoice has payments; left alone`);
      this.finish(item, 'synced', 'none', 'invoice has payments in Xero; left alone (refund it with a credit memo)', {
        xeroId: invoiceId,
        kind: 'invoice',
      });
      return undefined;
    }
    const target = status === 'AUTHORISED' ? 'VOIDED' : 'DELETED';
    const body = { InvoiceID: invoiceId, InvoiceNumber: link.businessKey, Status: target };
    const hash = hashOf(body);
    return {
      items: [item],
      link: this.key('order', item.entityId),
      businessKey: link.businessKey,
      hash,
      body,
      onOk: async (el) => {
        this.stage(this.key('order', item.entityId), {
          contentHash: hash,
          xeroStatus: str(el.Status) ?? target,
        });
        this.finish(item, 'synced', target === 'VOIDED' ? 'void' : 'delete', 'OK', {
          xeroId: invoiceId,
          kind: 'invoice',
        });
      },
      onFail: async (err) => {
        this.stageFailure(this.key('order', item.entityId), err.message);
        this.fail(item, err);
      },
    };
  }

  /**
   * Keeps the order link's `storePaid` at the store's latest figure (whatever happens to the Xero invoice: a
   * paid invoice is not edited, yet the store's payment total still decides how its credit memos settle).
   */
  private noteStorePaid(orderId: string, order: MagentoOrder, link: XeroLinkRecord): void {
    const storePaid = order.total_paid ?? 0;
    if (link.storePaid !== undefined && cents(link.storePaid) === cents(storePaid)) return;
    link.storePaid = storePaid;
    this.stage(this.key('order', orderId), { storePaid }, false);
  }

  private async orderLink(orderId: string): Promise<XeroLinkRecord | undefined> {
    if (!this.orderLinks.has(orderId)) {
      const l = await this.links.find(this.key('order', orderId));
      if (l) {
        this.orderLinks.set(orderId, l);
        this.known.add(linkId(l));
      }
    }
    return this.orderLinks.get(orderId);
  }

  /** Applies money moved against an order's invoice to its link (in memory and in MongoDB). */
  private async moveInvoiceAmounts(orderId: string, paid: number, credited: number): Promise<void> {
    const l = this.orderLinks.get(orderId);
    if (!l) return;
    const due = fromCents(cents(l.amountDue ?? l.total ?? 0) - cents(paid) - cents(credited));
    const next = {
      amountPaid: fromCents(cents(l.amountPaid ?? 0) + cents(paid)),
      amountCredited: fromCents(cents(l.amountCredited ?? 0) + cents(credited)),
      amountDue: due,
      xeroStatus: due <= 0 ? 'PAID' : l.xeroStatus,
    };
    Object.assign(l, next);
    this.stage(this.key('order', orderId), next, false);
  }

  // ---------- payments ----------

  private async payments(): Promise<void> {
    const mapping = this.settings.mapping;
    const invoices = this.pending('invoice');
    if (invoices.length === 0) return;
    const links = await this.linkMap(
      'invoice',
      invoices.map((i) => i.entityId),
    );
    const entries: Entry[] = [];
    for (const item of invoices) {
      const inv = item.payload;
      const orderId = String(inv.order_id);
      const link = links.get(item.entityId);
      if (link?.xeroId) {
        this.finish(item, 'unchanged', 'none', 'payment already recorded in Xero', { xeroId: link.xeroId });
        continue;
      }
      const account = paymentAccountFor(mapping, inv.payment_method);
      if (account === null) {
        this.finish(
          item,
          'synced',
          'none',
          `payment method ${inv.payment_method} is not mapped to an account; the invoice stays due`,
        );
        continue;
      }
      const orderLink = await this.orderLink(orderId);
      if (!orderLink?.xeroId) {
        this.wait(item, `order ${inv.order_increment_id ?? orderId} is not in Xero yet`);
        continue;
      }
      if (orderLink.xeroStatus !== 'AUTHORISED' && orderLink.xeroStatus !== 'PAID') {
        this.wait(
          item,
          `the order's invoice is ${orderLink.xeroStatus ?? 'unknown'} in Xero; payments need it AUTHORISED`,
        );
        continue;
      }
      const body = mapInvoicePayment(inv, account, orderLink.xeroId);
      if (cents(body.Amount) <= 0) {
        // A free store invoice (100 % discount, zero-priced lines) took no money; Xero refuses a zero payment.
        this.finish(item, 'synced', 'none', 'the store invoice total is 0: no payment to record');
        continue;
      }
      if (link?.pendingHash) {
        // A previous attempt may have paid without us hearing: Xero's payments with this Reference decide.
        try {
          const existing = await this.single([item], () =>
            this.client.getPaymentsWhere(this.tenantId!, `Reference=="${body.Reference}"`, this.ctx('payment')),
          );
          const hit = existing.find(
            (p) => str((p.Invoice as Json | undefined)?.InvoiceID) === orderLink.xeroId && p.Status !== 'DELETED',
          );
          if (hit) {
            this.stage(this.key('invoice', item.entityId), {
              xeroId: str(hit.PaymentID),
              parentXeroId: orderLink.xeroId,
              total: body.Amount,
            });
            await this.moveInvoiceAmounts(orderId, body.Amount, 0);
            this.finish(item, 'synced', 'payment', 'OK (found the earlier payment in Xero)', {
              xeroId: str(hit.PaymentID),
            });
            continue;
          }
        } catch (err) {
          this.fail(item, err);
          continue;
        }
      }
      if (orderLink.amountDue !== undefined && cents(body.Amount) > cents(orderLink.amountDue)) {
        this.fail(
          item,
          new XeroError(
            'VALIDATION',
            `payment ${body.Amount} exceeds the amount due ${orderLink.amountDue} on invoice ${orderLink.businessKey}`,
          ),
        );
        continue;
      }
      // Reserve the amount so two store invoices in one batch cannot overpay.
      orderLink.amountDue = fromCents(cents(orderLink.amountDue ?? orderLink.total ?? 0) - cents(body.Amount));
      const reserved = body.Amount;
      entries.push({
        items: [item],
        link: this.key('invoice', item.entityId),
        pending: true,
        businessKey: body.Reference,
        hash: hashOf(body),
        body,
        onOk: async (el) => {
          const pid = str(el.PaymentID);
          orderLink.amountDue = fromCents(cents(orderLink.amountDue ?? 0) + cents(reserved));
          this.stage(this.key('invoice', item.entityId), {
            tenantId: this.tenantId!,
            businessKey: body.Reference,
            xeroId: pid,
            parentXeroId: orderLink.xeroId,
            total: body.Amount,
            contentHash: hashOf(body),
          });
          await this.moveInvoiceAmounts(orderId, body.Amount, 0);
          this.finish(item, 'synced', 'payment', 'OK', { xeroId: pid });
        },
        onFail: async (err) => {
          orderLink.amountDue = fromCents(cents(orderLink.amountDue ?? 0) + cents(reserved));
          this.stageFailure(this.key('invoice', item.entityId), err.message);
          this.fail(item, err);
        },
      });
    }
    await this.writeBatches(entries, 'payments', 'payment', 'Reference', (bodies, ctx) =>
      this.client.createPayments(this.tenantId!, bodies as never, ctx),
    );
  }

  // ---------- credit notes ----------

  private async creditNotes(): Promise<void> {
    const mapping = this.settings.mapping;
    const memos = this.pending('creditmemo');
    if (memos.length === 0) return;
    const links = await this.linkMap(
      'creditmemo',
      memos.map((m) => m.entityId),
    );
    const toSettle: {
      item: DeliveryItem;
      memo: MagentoCreditMemo;
      creditNoteId: string;
      total: number;
      written: boolean;
    }[] = [];
    const entries: Entry[] = [];
    for (const item of memos) {
      const memo = item.payload;
      // The store invoice this memo refunds (or, naming none, its order's change that says what was paid) came in
      // the same delivery but did not reach Xero (held by another delivery, waiting, failed): settling now could
      // allocate the amount its payment needs.
      const first = creditMemoPrerequisite(memo);
      const held = this.items.find((i) => i.entity === first.entity && i.entityId === first.entityId);
      const heldStatus = held ? this.done.get(held)?.status : undefined;
      if (held && heldStatus !== 'synced' && heldStatus !== 'unchanged') {
        this.wait(item, `waiting for ${first.label} to be in Xero first`);
        continue;
      }
      const orderLink = await this.orderLink(String(memo.order_id));
      if (!orderLink?.xeroId || !orderLink.contactXeroId) {
        this.wait(item, `order ${memo.order_increment_id ?? memo.order_id} is not in Xero yet`);
        continue;
      }
      const link = links.get(item.entityId);
      // Names no store invoice: the store's order says whether it refunds paid money. If so, and Xero does not
      // have that payment yet (the store invoice is still on its way), allocating now would take the room the
      // payment needs ("payment exceeds the amount due"): wait for it.
      const unsettled = cents(memo.grand_total) - cents(link?.allocated ?? 0) - cents(link?.refunded ?? 0);
      if (
        !memo.invoice_id &&
        unsettled > 0 &&
        orderLink.storePaid !== undefined &&
        cents(orderLink.storePaid) >= unsettled &&
        cents(orderLink.amountPaid ?? 0) < unsettled
      ) {
        this.wait(
          item,
          `waiting for the order's payment to be in Xero first (the store took ${orderLink.storePaid}, ` +
            `Xero has ${orderLink.amountPaid ?? 0})`,
        );
        continue;
      }
      let mapped;
      try {
        mapped = mapCreditMemoCreditNote(memo, mapping, {
          contact: { ContactID: orderLink.contactXeroId },
          currencyCode: orderLink.currencyCode,
        });
      } catch (err) {
        this.fail(item, err);
        continue;
      }
      const hash = hashOf(mapped.body);
      const applied = (link?.allocated ?? 0) + (link?.refunded ?? 0);
      if (link?.xeroId && (link.contentHash === hash || applied > 0)) {
        toSettle.push({
          item,
          memo,
          creditNoteId: link.xeroId,
          total: link.total ?? mapped.totals.total,
          written: false,
        });
        continue;
      }
      const body = link?.xeroId ? { ...mapped.body, CreditNoteID: link.xeroId } : mapped.body;
      entries.push({
        items: [item],
        link: this.key('creditmemo', item.entityId),
        businessKey: mapped.body.CreditNoteNumber,
        hash,
        body,
        onOk: async (el) => {
          const id = str(el.CreditNoteID)!;
          const total = numOf(el.Total) ?? mapped.totals.total;
          if (cents(total) !== cents(memo.grand_total)) {
            this.logger.error(
              `credit note ${mapped.body.CreditNoteNumber}: Xero total ${total} != refund ${memo.grand_total}`,
            );
          }
          this.stage(this.key('creditmemo', item.entityId), {
            tenantId: this.tenantId!,
            businessKey: mapped.body.CreditNoteNumber,
            xeroId: id,
            contentHash: hash,
            total,
            xeroStatus: str(el.Status),
            parentXeroId: orderLink.xeroId,
          });
          toSettle.push({ item, memo, creditNoteId: id, total, written: true });
        },
        onFail: async (err) => {
          this.stageFailure(this.key('creditmemo', item.entityId), err.message);
          this.fail(item, err);
        },
      });
    }
    await this.writeBatches(entries, 'creditnotes', 'payment', 'CreditNoteNumber', (bodies, ctx) =>
      this.client.upsertCreditNotes(this.tenantId!, bodies as never, ctx),
    );
    await this.settle(toSettle, links);
  }

  /**
   * Applies each credit note. A credit memo refunds money the store took: when that payment is in Xero (the store
   * invoice it names was paid, or the order's payments cover it) the whole note is refunded with a payment on the
   * credit note (to the payment method's account; none mapped → credit left open). Otherwise (on account, nothing
   * paid) it is allocated to the order's invoice while that has an amount due, and the rest refunded. Allocating a
   * paid refund instead would leave the order's other store invoices more to pay than Xero lets them ("payment
   * exceeds the amount due").
   */
  private async settle(
    notes: { item: DeliveryItem; memo: MagentoCreditMemo; creditNoteId: string; total: number; written: boolean }[],
    links: Map<string, XeroLinkRecord>,
  ): Promise<void> {
    const mapping = this.settings.mapping;
    const refunds: Entry[] = [];
    const ids = notes.map((n) => n.item.entityId);
    const allocLinks = await this.linkMap('creditmemo-allocation', ids);
    const refundLinks = await this.linkMap('creditmemo-refund', ids);
    const paidInvoices = await this.linkMap(
      'invoice',
      notes.flatMap((n) => (n.memo.invoice_id ? [String(n.memo.invoice_id)] : [])),
    );
    for (const n of notes) {
      if (this.stopped) return;
      const orderId = String(n.memo.order_id);
      const orderLink = this.orderLinks.get(orderId)!;
      const link = links.get(n.item.entityId);
      let allocated = link?.allocated ?? 0;
      const refunded = link?.refunded ?? 0;
      let remaining = fromCents(cents(n.total) - cents(allocated) - cents(refunded));
      let action: DeliveryAction = link?.xeroId && link.contentHash ? 'update' : 'create';
      const due = orderLink.amountDue ?? 0;
      // Paid money: the store invoice it names has its payment in Xero, or (none named) the order's payments
      // cover it. Magento never refunds more than was paid.
      const refundsPaidMoney = n.memo.invoice_id
        ? Boolean(paidInvoices.get(String(n.memo.invoice_id))?.xeroId)
        : cents(orderLink.amountPaid ?? 0) >= cents(remaining);
      if (remaining > 0 && due > 0 && orderLink.xeroStatus === 'AUTHORISED' && !refundsPaidMoney) {
        const amount = Math.min(remaining, due);
        const allocKey = this.key('creditmemo-allocation', n.item.entityId);
        try {
          const prior = allocLinks.get(n.item.entityId);
          let already = false;
          if (prior?.pendingHash && !prior.xeroId) {
            const cn = await this.single([n.item], () =>
              this.client.getCreditNote(this.tenantId!, n.creditNoteId, this.ctx('payment')),
            );
            already = ((cn?.Allocations as Json[] | undefined) ?? []).some(
              (a) => str((a.Invoice as Json | undefined)?.InvoiceID) === orderLink.xeroId,
            );
          }
          if (!already) {
            await this.markPending(allocKey, `${n.creditNoteId}:${orderLink.xeroId}`, String(amount));
            const idem = sha256Hex([this.storeId, 'allocation', n.item.entityId, n.creditNoteId, amount].join('|'));
            const els = await this.single([n.item], () =>
              this.client.createAllocation(
                this.tenantId!,
                n.creditNoteId,
                mapAllocation(n.memo, orderLink.xeroId!, amount),
                this.ctx('payment', idem),
              ),
            );
            const errs = els[0] ? elementErrors(els[0]) : [];
            if (errs.length) throw new XeroError('VALIDATION', errs.join('; '), { xeroMessages: errs });
          }
          this.stage(allocKey, { xeroId: n.creditNoteId, total: amount });
          allocated = fromCents(cents(allocated) + cents(amount));
          this.stage(this.key('creditmemo', n.item.entityId), { allocated }, false);
          await this.moveInvoiceAmounts(orderId, 0, amount);
          remaining = fromCents(cents(remaining) - cents(amount));
          action = 'allocate';
        } catch (err) {
          this.fail(n.item, err);
          continue;
        }
      }
      if (remaining <= 0) {
        const changed = n.written || action === 'allocate';
        this.finish(n.item, changed ? 'synced' : 'unchanged', changed ? action : 'none', 'OK', {
          xeroId: n.creditNoteId,
          kind: 'creditnote',
        });
        continue;
      }
      const account = paymentAccountFor(mapping, n.memo.payment_method);
      if (account === null) {
        this.finish(
          n.item,
          'synced',
          action,
          `credit of ${remaining} left open on the credit note (payment method not mapped)`,
          {
            xeroId: n.creditNoteId,
            kind: 'creditnote',
          },
        );
        continue;
      }
      const body = mapCreditNoteRefund(n.memo, account, n.creditNoteId, remaining);
      const refundKey = this.key('creditmemo-refund', n.item.entityId);
      const prior = refundLinks.get(n.item.entityId);
      if (prior?.pendingHash && !prior.xeroId) {
        try {
          const existing = await this.single([n.item], () =>
            this.client.getPaymentsWhere(this.tenantId!, `Reference=="${body.Reference}"`, this.ctx('payment')),
          );
          const hit = existing.find(
            (p) => str((p.CreditNote as Json | undefined)?.CreditNoteID) === n.creditNoteId && p.Status !== 'DELETED',
          );
          if (hit) {
            this.stage(refundKey, { xeroId: str(hit.PaymentID), total: body.Amount });
            this.stage(
              this.key('creditmemo', n.item.entityId),
              { refunded: fromCents(cents(refunded) + cents(body.Amount)) },
              false,
            );
            this.finish(n.item, 'synced', 'refund', 'OK (found the earlier refund in Xero)', {
              xeroId: n.creditNoteId,
              kind: 'creditnote',
            });
            continue;
          }
        } catch (err) {
          this.fail(n.item, err);
          continue;
        }
      }
      refunds.push({
        items: [n.item],
        link: refundKey,
        pending: true,
        businessKey: body.Reference,
        hash: hashOf(body),
        body,
        onOk: async (el) => {
          this.stage(refundKey, {
            tenantId: this.tenantId!,
            businessKey: body.Reference,
            xeroId: str(el.PaymentID),
            total: body.Amount,
          });
          this.stage(
            this.key('creditmemo', n.item.entityId),
            { refunded: fromCents(cents(refunded) + cents(body.Amount)) },
            false,
          );
          this.finish(n.item, 'synced', 'refund', 'OK', { xeroId: n.creditNoteId, kind: 'creditnote' });
        },
        onFail: async (err) => {
          this.stageFailure(refundKey, err.message);
          this.fail(n.item, err);
        },
      });
    }
    await this.writeBatches(refunds, 'refunds', 'payment', 'Reference', (bodies, ctx) =>
      this.client.createPayments(this.tenantId!, bodies as never, ctx),
    );
  }
}

/** The money/status state of an invoice element as Xero returned it. */
function invoiceState(el: Json): Partial<XeroLinkRecord> {
  return {
    xeroId: str(el.InvoiceID),
    xeroStatus: str(el.Status),
    total: numOf(el.Total),
    amountDue: numOf(el.AmountDue),
    amountPaid: numOf(el.AmountPaid),
    amountCredited: numOf(el.AmountCredited),
  };
}

function linkId(k: XeroLinkKey): string {
  return `${k.storeId}|${k.entity}|${k.entityId}`;
}

function errorOf(e: XeroError): DeliveryResult['error'] {
  return { code: e.code, retryable: e.retryable, retryAfterMs: e.retryAfterMs };
}
