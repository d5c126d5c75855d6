import { XeroLinkKey, XeroLinkRecord, XeroLinkRepository, XeroLinkUpdate, xeroLinkId } from '@xero-sync/persistence';

/** The link operations a run uses (XeroLinkRepository in production, an in-memory fake in unit specs). */
export type LinkStore = Pick<
  XeroLinkRepository,
  'find' | 'findMany' | 'insertNew' | 'markPending' | 'markSynced' | 'update'
>;

interface StagedWrite {
  key: XeroLinkKey;
  set: XeroLinkUpdate;
  synced: boolean;
}

/**
 * One run's view of xero_links: reads, link writes staged during a stage and flushed once at its end (new links in
 * one insertMany, existing ones one update each), and the durable pending markers written before non-idempotent
 * creates. The run's own MongoDB writes are serialised (FerretDB handles concurrent writes poorly). A read-only
 * ledger (dry-run) reads like delivery and discards every write.
 */
export class LinkLedger {
  /** Links known to exist in MongoDB (loaded or written this run). */
  private readonly known = new Set<string>();
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

  /** Links of one entity kind by entity id. */
  async read(entity: string, ids: string[]): Promise<Map<string, XeroLinkRecord>> {
    const found = await this.store.findMany(this.storeId, entity, [...new Set(ids)]);
    for (const l of found) this.known.add(xeroLinkId(l));
    return new Map(found.map((l) => [l.entityId, l]));
  }

  async readOne(key: XeroLinkKey): Promise<XeroLinkRecord | undefined> {
    const l = await this.store.find(key);
    if (!l) return undefined;
    this.known.add(xeroLinkId(l));
    return l;
  }

  /** Stages a link write; `synced` clears the pending marker and stamps lastSyncedAt. */
  stage(key: XeroLinkKey, set: XeroLinkUpdate, synced = true): void {
    const id = xeroLinkId(key);
    const prev = this.staged.get(id);
    this.staged.set(id, { key, set: { ...(prev?.set ?? {}), ...set }, synced: synced || (prev?.synced ?? false) });
  }

  /** Records a failed write's message on a link that exists (a failure never creates a link). */
  stageFailure(key: XeroLinkKey, message: string): void {
    if (this.known.has(xeroLinkId(key))) this.stage(key, { lastError: message }, false);
  }

  /** Writes the staged links: new ones in one insertMany, existing ones one update each. */
  flush(): Promise<void> {
    return this.serial(async () => {
      const all = [...this.staged.values()];
      this.staged.clear();
      if (this.readOnly) return;
      const fresh = all.filter((w) => !this.known.has(xeroLinkId(w.key)) && w.set.tenantId && w.set.businessKey);
      const existing = all.filter((w) => !fresh.includes(w));
      const clashed = await this.store.insertNew(
        fresh.map((w) => ({ ...w.key, ...w.set, tenantId: w.set.tenantId!, businessKey: w.set.businessKey! })),
      );
      for (const w of fresh) this.known.add(xeroLinkId(w.key));
      const retry = fresh.filter((w) => clashed.some((c) => xeroLinkId(c) === xeroLinkId(w.key)));
      for (const w of [...existing, ...retry]) {
        if (w.synced) await this.store.markSynced(w.key, w.set);
        else await this.store.update(w.key, w.set);
      }
    });
  }

  /** Makes a pending marker durable before a non-idempotent write. */
  markPending(key: XeroLinkKey, businessKey: string, hash: string): Promise<void> {
    return this.serial(async () => {
      if (this.readOnly) return;
      if (this.known.has(xeroLinkId(key))) {
        await this.store.markPending(key, this.tenantId, businessKey, hash);
        return;
      }
      const clashed = await this.store.insertNew([
        { ...key, tenantId: this.tenantId, businessKey, pendingHash: hash, pendingAt: new Date() },
      ]);
      if (clashed.length) await this.store.markPending(key, this.tenantId, businessKey, hash);
      this.known.add(xeroLinkId(key));
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
