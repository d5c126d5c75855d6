import { XeroLinkKey, XeroLinkRecord, XeroLinkRepository, XeroLinkUpdate, xeroLinkId } from '@xero-sync/persistence';

/** The link operations a run uses (XeroLinkRepository in production, an in-memory fake in unit specs). */
export type LinkStore = Pick<
  XeroLinkRepository,
  'find' | 'findMany' | 'findKeys' | 'insertNew' | 'markPendingMany' | 'writeMany'
>;

interface StagedWrite {
  key: XeroLinkKey;
  set: XeroLinkUpdate;
  synced: boolean;
}

/** A pending marker to make durable: the link, the business key it is created under and the content's hash. */
export interface PendingMark {
  key: XeroLinkKey;
  businessKey: string;
  hash: string;
}

/**
 * One run's view of xero_links: reads, link writes staged during a stage and flushed once at its end (new links in
 * one insertMany, existing ones in one bulk write), and the durable pending markers written before non-idempotent
 * creates (one bulk write per batch). The run's own MongoDB writes are serialised (FerretDB handles concurrent
 * writes poorly). A read-only ledger (dry-run) reads like delivery and discards every write.
 */
export class LinkLedger {
  /** Links known to exist in MongoDB (loaded or written this run). */
  private readonly known = new Set<string>();
  /**
   * Links read ahead for the run (null: none exists), answered by `read` until the run stages or marks them: the
   * run's own records in one query instead of one per stage.
   */
  private readonly ahead = new Map<string, XeroLinkRecord | null>();
  private readonly staged = new Map<string, StagedWrite>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: LinkStore,
    readonly storeId: string,
    private readonly tenantId: string,
    private readonly readOnly = false,
  ) {}

  key(entity: string, entityId: string): XeroLinkKey {
    return { storeId: this.storeId, entity, entityId };
  }

  /**
   * Reads the links of `keys` in one query and answers later reads of them from it, until the run stages or marks
   * one of them (then that one is read again). For the run's own records, which its record claims keep other
   * deliveries from writing meanwhile.
   */
  async readAhead(keys: XeroLinkKey[]): Promise<void> {
    if (keys.length === 0) return;
    const found = await this.store.findKeys(keys);
    for (const k of keys) this.ahead.set(xeroLinkId(k), null);
    for (const l of found) {
      this.ahead.set(xeroLinkId(l), l);
      this.known.add(xeroLinkId(l));
    }
  }

  /** Links of one entity kind by entity id. */
  async read(entity: string, ids: string[]): Promise<Map<string, XeroLinkRecord>> {
    const out = new Map<string, XeroLinkRecord>();
    const unread: string[] = [];
    for (const id of new Set(ids)) {
      const ahead = this.ahead.get(xeroLinkId(this.key(entity, id)));
      if (ahead === undefined) unread.push(id);
      else if (ahead) out.set(id, ahead);
    }
    if (unread.length === 0) return out;
    const found = await this.store.findMany(this.storeId, entity, unread);
    for (const l of found) {
      this.known.add(xeroLinkId(l));
      out.set(l.entityId, l);
    }
    return out;
  }

  async readOne(key: XeroLinkKey): Promise<XeroLinkRecord | undefined> {
    const ahead = this.ahead.get(xeroLinkId(key));
    if (ahead !== undefined) return ahead ?? undefined;
    const l = await this.store.find(key);
    if (!l) return undefined;
    this.known.add(xeroLinkId(l));
    return l;
  }

  /** Stages a link write; `synced` clears the pending marker and stamps lastSyncedAt. */
  stage(key: XeroLinkKey, set: XeroLinkUpdate, synced = true): void {
    const id = xeroLinkId(key);
    this.ahead.delete(id);
    const prev = this.staged.get(id);
    this.staged.set(id, { key, set: { ...(prev?.set ?? {}), ...set }, synced: synced || (prev?.synced ?? false) });
  }

  /** Records a failed write's message on a link that exists (a failure never creates a link). */
  stageFailure(key: XeroLinkKey, message: string): void {
    if (this.known.has(xeroLinkId(key))) this.stage(key, { lastError: message }, false);
  }

  /**
   * Writes the staged links: new ones in one insertMany, existing ones (and new ones another writer made first) in
   * one bulk write.
   */
  flush(): Promise<void> {
    return this.serial(async () => {
      const all = [...this.staged.values()];
      this.staged.clear();
      if (this.readOnly) return;
      const fresh = all.filter((w) => !this.known.has(xeroLinkId(w.key)) && w.set.tenantId && w.set.businessKey);
      const existing = all.filter((w) => !fresh.includes(w));
      const clashed = new Set(
        (
          await this.store.insertNew(
            fresh.map((w) => ({ ...w.key, ...w.set, tenantId: w.set.tenantId!, businessKey: w.set.businessKey! })),
          )
        ).map(xeroLinkId),
      );
      for (const w of fresh) this.known.add(xeroLinkId(w.key));
      const retry = fresh.filter((w) => clashed.has(xeroLinkId(w.key)));
      await this.store.writeMany([...existing, ...retry].map((w) => ({ key: w.key, update: w.set, synced: w.synced })));
    });
  }

  /** Makes a pending marker durable before a non-idempotent write. */
  markPending(key: XeroLinkKey, businessKey: string, hash: string): Promise<void> {
    return this.markPendingMany([{ key, businessKey, hash }]);
  }

  /**
   * Makes the pending markers of one batch durable in one write, before its non-idempotent create call: after a
   * crash the leftover marker makes the next attempt look the business key up in Xero instead of creating again.
   */
  markPendingMany(marks: PendingMark[]): Promise<void> {
    for (const m of marks) this.ahead.delete(xeroLinkId(m.key));
    return this.serial(async () => {
      if (this.readOnly || marks.length === 0) return;
      // One statement per link: its last mark wins, as when they were written one after another.
      const byLink = new Map(marks.map((m) => [xeroLinkId(m.key), m]));
      await this.store.markPendingMany(
        [...byLink.values()].map((m) => ({
          key: m.key,
          tenantId: this.tenantId,
          businessKey: m.businessKey,
          pendingHash: m.hash,
        })),
      );
      for (const id of byLink.keys()) this.known.add(id);
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
