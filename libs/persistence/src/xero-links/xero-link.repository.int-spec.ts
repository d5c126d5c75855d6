import mongoose, { Connection, Model } from 'mongoose';
import { testMongoUri } from '@xero-sync/testing';
import { XeroLinkKey, XeroLinkRepository, xeroLinkId } from './xero-link.repository';
import { XeroLink, XeroLinkSchema } from './xero-link.schema';

const STORE = 'shop-links';
const TENANT = 'tenant-links';
const key = (n: number): XeroLinkKey => ({ storeId: STORE, entity: 'order', entityId: String(n) });
type Stored = XeroLink & { createdAt?: Date; updatedAt?: Date };
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

// Link writes of a batch go in one command each (a bulkWrite of `updateMany`s by `_id`, see bulkById): proven on
// real FerretDB by what is persisted and by the commands the driver sends.
describe('XeroLinkRepository on FerretDB', () => {
  const uri = testMongoUri();
  let conn: Connection;
  let model: Model<XeroLink>;
  let links: XeroLinkRepository;
  const commands: string[] = [];

  beforeAll(async () => {
    conn = await mongoose.createConnection(uri, { monitorCommands: true }).asPromise();
    model = conn.model(XeroLink.name, XeroLinkSchema);
    await model.syncIndexes();
    links = new XeroLinkRepository(model);
    conn.getClient().on('commandStarted', (e) => {
      const target = (e.command as Record<string, unknown>)[e.commandName];
      commands.push(typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName);
    });
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  const raw = (n: number) =>
    model
      .findById(xeroLinkId(key(n)))
      .lean<Stored>()
      .exec();
  const docsOf = (ns: number[]) =>
    model
      .find({ _id: { $in: ns.map((n) => xeroLinkId(key(n))) } })
      .lean<Stored[]>()
      .exec();

  /** Links 1–25 exist, synced once, each with a last error. */
  async function seedExisting(): Promise<void> {
    const refused = await links.insertNew(
      range(1, 25).map((n) => ({
        ...key(n),
        tenantId: TENANT,
        businessKey: `INV-${n}`,
        xeroId: `x-${n}`,
        contentHash: 'h0',
        lastError: 'old error',
      })),
    );
    expect(refused).toEqual([]);
  }

  it('writes 50 pending markers (25 on existing links, 25 creating theirs) in one command', async () => {
    await seedExisting();
    const at = new Date('2026-12-01T00:00:00Z');
    commands.length = 0;
    await links.markPendingMany(
      range(1, 50).map((n) => ({ key: key(n), tenantId: TENANT, businessKey: `INV-${n}`, pendingHash: `p-${n}` })),
      at,
    );
    expect(commands).toEqual(['update xero_links']);

    const docs = await docsOf(range(1, 50));
    expect(docs).toHaveLength(50);
    for (const d of docs) {
      const n = Number(d.entityId);
      expect(d).toMatchObject({ ...key(n), tenantId: TENANT, businessKey: `INV-${n}`, pendingHash: `p-${n}` });
      expect(d.pendingAt).toEqual(at);
      expect(d.createdAt).toBeInstanceOf(Date);
      // An existing link keeps what it held; a new one holds only the marker.
      if (n <= 25) expect(d).toMatchObject({ xeroId: `x-${n}`, contentHash: 'h0', lastError: 'old error' });
      else expect(d.xeroId).toBeUndefined();
    }
  });

  it('writes 50 outcomes (confirmed on existing and new links, plain updates, one on a missing link) in one command', async () => {
    const at = new Date('2026-12-02T00:00:00Z');
    const confirmed = (n: number) => ({
      key: key(n),
      update: { tenantId: TENANT, businessKey: `INV-${n}`, xeroId: `x-${n}`, contentHash: 'h1', xeroStatus: 'PAID' },
      synced: true,
    });
    commands.length = 0;
    await links.writeMany(
      [
        ...range(1, 20).map(confirmed), // existing, marked pending
        ...range(26, 10).map(confirmed), // created by their pending marker
        ...range(51, 10).map(confirmed), // not in MongoDB yet
        ...range(21, 5).map((n) => ({ key: key(n), update: { lastError: `refused ${n}` }, synced: false })),
        ...range(36, 5).map((n) => ({ key: key(n), update: { amountDue: 0 }, synced: false })),
      ],
      at,
    );
    expect(commands).toEqual(['update xero_links']);

    for (const n of [...range(1, 20), ...range(26, 10), ...range(51, 10)]) {
      const d = await raw(n);
      expect(d).toMatchObject({ ...key(n), tenantId: TENANT, businessKey: `INV-${n}`, xeroId: `x-${n}` });
      expect(d).toMatchObject({ contentHash: 'h1', xeroStatus: 'PAID', lastSyncedAt: at });
      // A confirmed write clears the pending marker and the last error.
      expect([d?.pendingHash, d?.pendingAt, d?.lastError]).toEqual([undefined, undefined, undefined]);
    }
    // A plain update sets its fields only: the marker and the content hash stay.
    for (const n of range(21, 5)) {
      expect(await raw(n)).toMatchObject({ lastError: `refused ${n}`, pendingHash: `p-${n}`, contentHash: 'h0' });
    }
    for (const n of range(36, 5)) {
      const d = await raw(n);
      expect(d).toMatchObject({ amountDue: 0, pendingHash: `p-${n}` });
      expect(d?.lastSyncedAt).toBeUndefined();
    }
    // ...and never creates a link.
    expect(await model.countDocuments({ storeId: STORE })).toBe(60);
  });

  it('new links another writer inserted first (the ledger retries them as writes) cost one insert and one update', async () => {
    const fresh = range(56, 10).map((n) => ({
      ...key(n),
      tenantId: TENANT,
      businessKey: `INV-${n}`,
      xeroId: `y-${n}`,
      contentHash: 'h2',
    }));
    commands.length = 0;
    const clashed = await links.insertNew(fresh);
    expect(clashed.map((k) => Number(k.entityId))).toEqual(range(56, 5));
    await links.writeMany(
      clashed.map((k) => ({ key: k, update: { xeroId: `y-${k.entityId}`, contentHash: 'h2' }, synced: true })),
    );
    expect(commands).toEqual(['insert xero_links', 'update xero_links']);
    for (const n of range(56, 10)) expect(await raw(n)).toMatchObject({ xeroId: `y-${n}`, contentHash: 'h2' });
    expect(await model.countDocuments({ storeId: STORE })).toBe(65);
  });

  it('two writers marking the same 50 new links at once both succeed, each link created once', async () => {
    const other = await mongoose.createConnection(uri).asPromise();
    try {
      const racer = new XeroLinkRepository(other.model(XeroLink.name, XeroLinkSchema));
      const marks = (hash: string) =>
        range(101, 50).map((n) => ({ key: key(n), tenantId: TENANT, businessKey: `INV-${n}`, pendingHash: hash }));
      await Promise.all([links.markPendingMany(marks('a')), racer.markPendingMany(marks('b'))]);
      const docs = await docsOf(range(101, 50));
      expect(docs).toHaveLength(50);
      for (const d of docs) expect(['a', 'b']).toContain(d.pendingHash);
      expect(await model.countDocuments({ storeId: STORE })).toBe(115);
    } finally {
      await other.close();
    }
  });

  it('the single-link forms are the batch ones for one link', async () => {
    commands.length = 0;
    await links.markPending(key(200), TENANT, 'INV-200', 'p');
    await links.update(key(200), { lastError: 'refused' });
    expect(await raw(200)).toMatchObject({ pendingHash: 'p', lastError: 'refused' });
    await links.markSynced(key(200), { xeroId: 'x-200' });
    expect(await raw(200)).toMatchObject({ xeroId: 'x-200', businessKey: 'INV-200' });
    expect((await raw(200))?.pendingHash).toBeUndefined();
    expect(commands.filter((c) => c.startsWith('update'))).toHaveLength(3);
  });

  it('reads links of several entities by key in one find, leaving out those that do not exist', async () => {
    await links.insertNew([
      { storeId: STORE, entity: 'customer', entityId: '7', tenantId: TENANT, businessKey: 'C-7', xeroId: 'x-c7' },
    ]);
    // The engine is asked once per process whether it indexes `_id` lists (buildInfo, explain): not counted here.
    await links.findMany(STORE, 'order', ['1', '2']);
    commands.length = 0;
    const found = await links.findKeys([
      key(1),
      { storeId: STORE, entity: 'customer', entityId: '7' },
      { storeId: STORE, entity: 'customer', entityId: '8' },
      key(1),
    ]);
    expect(commands).toEqual(['find xero_links']);
    expect(found.map((l) => `${l.entity}:${l.entityId}:${l.xeroId}`).sort()).toEqual([
      'customer:7:x-c7',
      'order:1:x-1',
    ]);
  });
});
