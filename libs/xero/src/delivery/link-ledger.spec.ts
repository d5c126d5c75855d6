import type { XeroLinkKey, XeroLinkPending, XeroLinkWrite } from '@xero-sync/persistence';
import { xeroLinkId } from '@xero-sync/persistence';
import { LinkLedger, LinkStore } from './link-ledger';
import { link, STORE, strict, TENANT } from './test/stage-kit';

/** Link writes as the store receives them: one entry per call. */
function recordingStore(existing: string[], takenByOthers: string[] = []) {
  const links = existing.map((id) => link('product', id));
  const calls: { insertNew?: string[]; markPendingMany?: XeroLinkPending[]; writeMany?: XeroLinkWrite[] }[] = [];
  const store = strict<LinkStore>('links', {
    findMany: async (_storeId, _entity, ids) => links.filter((l) => ids.includes(l.entityId)),
    insertNew: async (docs) => {
      calls.push({ insertNew: docs.map((d) => d.entityId) });
      return docs.filter((d) => takenByOthers.includes(d.entityId));
    },
    markPendingMany: async (marks) => void calls.push({ markPendingMany: marks }),
    writeMany: async (writes) => void calls.push({ writeMany: writes }),
  });
  return { store, calls };
}

const key = (id: string): XeroLinkKey => ({ storeId: STORE, entity: 'product', entityId: id });

describe('LinkLedger', () => {
  it('flushes new links in one insert and existing ones, with the new ones another writer made first, in one write', async () => {
    const { store, calls } = recordingStore(['old-1', 'old-2'], ['raced']);
    const ledger = new LinkLedger(store, STORE, TENANT);
    await ledger.read('product', ['old-1', 'old-2', 'new', 'raced']);
    const created = { tenantId: TENANT, xeroId: 'x', contentHash: 'h' };
    ledger.stage(key('old-1'), { xeroId: 'x-1', contentHash: 'h1' });
    ledger.stage(key('old-2'), { amountDue: 0 }, false);
    ledger.stage(key('new'), { ...created, businessKey: 'K-new' });
    ledger.stage(key('raced'), { ...created, businessKey: 'K-raced' });
    ledger.stageFailure(key('unknown'), 'refused');
    await ledger.flush();

    expect(calls.map((c) => Object.keys(c)[0])).toEqual(['insertNew', 'writeMany']);
    expect(calls[0].insertNew).toEqual(['new', 'raced']);
    expect(calls[1].writeMany).toEqual([
      { key: key('old-1'), update: { xeroId: 'x-1', contentHash: 'h1' }, synced: true },
      { key: key('old-2'), update: { amountDue: 0 }, synced: false },
      { key: key('raced'), update: { ...created, businessKey: 'K-raced' }, synced: true },
    ]);
    // Written once: the next flush holds only what was staged since, now known to exist.
    ledger.stage(key('new'), { lastError: 'later' }, false);
    await ledger.flush();
    expect(calls.slice(2)).toEqual([
      { insertNew: [] },
      { writeMany: [{ key: key('new'), update: { lastError: 'later' }, synced: false }] },
    ]);
  });

  it("writes a batch's pending markers in one write, the last mark of a link winning; the links are known after", async () => {
    const { store, calls } = recordingStore([]);
    const ledger = new LinkLedger(store, STORE, TENANT);
    await ledger.markPendingMany([
      { key: key('a'), businessKey: 'K-a', hash: 'h1' },
      { key: key('b'), businessKey: 'K-b', hash: 'h1' },
      { key: key('a'), businessKey: 'K-a', hash: 'h2' },
    ]);
    await ledger.markPendingMany([]);
    await ledger.markPending(key('c'), 'K-c', 'h3');
    expect(calls).toEqual([
      {
        markPendingMany: [
          { key: key('a'), tenantId: TENANT, businessKey: 'K-a', pendingHash: 'h2' },
          { key: key('b'), tenantId: TENANT, businessKey: 'K-b', pendingHash: 'h1' },
        ],
      },
      { markPendingMany: [{ key: key('c'), tenantId: TENANT, businessKey: 'K-c', pendingHash: 'h3' }] },
    ]);
    // A marked link exists: its confirmed write is an update, not an insert.
    ledger.stage(key('a'), { tenantId: TENANT, businessKey: 'K-a', xeroId: 'x-a' });
    await ledger.flush();
    expect(calls.slice(2)).toEqual([
      { insertNew: [] },
      { writeMany: [{ key: key('a'), update: { tenantId: TENANT, businessKey: 'K-a', xeroId: 'x-a' }, synced: true }] },
    ]);
  });

  it('runs its writes one after another, in the order asked', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const store = strict<LinkStore>('links', {
      markPendingMany: async (marks) => {
        order.push(`start ${marks[0].businessKey}`);
        if (marks[0].businessKey === 'K-1') await held;
        order.push(`end ${marks[0].businessKey}`);
      },
    });
    const ledger = new LinkLedger(store, STORE, TENANT);
    const first = ledger.markPending(key('1'), 'K-1', 'h');
    const second = ledger.markPending(key('2'), 'K-2', 'h');
    await new Promise((r) => setImmediate(r));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['start K-1', 'end K-1', 'start K-2', 'end K-2']);
  });

  it('a read-only ledger (dry-run) reads and writes nothing', async () => {
    const store = strict<LinkStore>('links', { findMany: async () => [link('product', 'a')] });
    const ledger = new LinkLedger(store, STORE, TENANT, true);
    expect((await ledger.read('product', ['a'])).get('a')?.id).toBe(xeroLinkId(key('a')));
    await ledger.markPendingMany([{ key: key('a'), businessKey: 'K-a', hash: 'h' }]);
    ledger.stage(key('a'), { xeroId: 'x' });
    ledger.stage(key('b'), { tenantId: TENANT, businessKey: 'K-b', xeroId: 'y' });
    await ledger.flush();
  });

  it("reads the run's own links ahead in one query and answers from it until the run stages or marks one", async () => {
    const links = [link('product', 'p1'), link('order', 'o1')];
    const reads: string[] = [];
    const store = strict<LinkStore>('links', {
      findKeys: async (keys) => {
        reads.push(`findKeys ${keys.map((k) => k.entityId).join(',')}`);
        return links.filter((l) => keys.some((k) => xeroLinkId(k) === l.id));
      },
      findMany: async (_storeId, entity, ids) => {
        reads.push(`findMany ${entity} ${ids.join(',')}`);
        return links.filter((l) => l.entity === entity && ids.includes(l.entityId));
      },
      find: async (k) => {
        reads.push(`find ${k.entityId}`);
        return links.find((l) => l.id === xeroLinkId(k)) ?? null;
      },
      markPendingMany: async () => undefined,
    });
    const ledger = new LinkLedger(store, STORE, TENANT);
    const k = (entity: string, id: string): XeroLinkKey => ({ storeId: STORE, entity, entityId: id });
    await ledger.readAhead([k('product', 'p1'), k('product', 'p2'), k('order', 'o1')]);

    // Answered ahead, absent ones included; only ids not read ahead go to the store.
    expect([...(await ledger.read('product', ['p1', 'p2'])).keys()]).toEqual(['p1']);
    expect((await ledger.readOne(k('order', 'o1')))?.entityId).toBe('o1');
    expect([...(await ledger.read('product', ['p1', 'p3'])).keys()]).toEqual(['p1']);
    expect(reads).toEqual(['findKeys p1,p2,o1', 'findMany product p3']);

    // Once the run writes a link (staged or marked pending), reading it asks the store again.
    ledger.stage(k('product', 'p1'), { xeroId: 'x-p1' });
    await ledger.markPendingMany([{ key: k('order', 'o1'), businessKey: 'INV-o1', hash: 'h' }]);
    await ledger.read('product', ['p1', 'p2']);
    await ledger.readOne(k('order', 'o1'));
    expect(reads.slice(2)).toEqual(['findMany product p1', 'find o1']);
  });
});
