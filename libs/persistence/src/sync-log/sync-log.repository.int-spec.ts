import mongoose, { Connection } from 'mongoose';
import { testMongoUri } from '@xero-sync/testing';
import { SyncLog, SyncLogSchema } from './sync-log.schema';
import { escapeRegex, NewSyncLogEntry, SyncLogRepository } from './sync-log.repository';

// Real FerretDB: the "View Log" queries admin-api serves.
describe('SyncLogRepository on FerretDB', () => {
  let conn: Connection;
  let log: SyncLogRepository;

  const row = (over: Partial<NewSyncLogEntry>): NewSyncLogEntry => ({
    storeId: 's1',
    tenantId: 't1',
    entity: 'order',
    entityId: '1',
    action: 'create',
    status: 'success',
    message: 'OK',
    durationMs: 10,
    calls: 1,
    mode: 'cron',
    attempt: 1,
    ...over,
  });

  beforeAll(async () => {
    conn = await mongoose.createConnection(testMongoUri()).asPromise();
    const model = conn.model(SyncLog.name, SyncLogSchema);
    await model.init();
    log = new SyncLogRepository(model as never);
    await log.append([
      ...Array.from({ length: 25 }, (_, i) => row({ entityId: String(i + 1), durationMs: i })),
      row({
        storeId: 's2',
        tenantId: 't2',
        entity: 'customer',
        entityId: '9',
        status: 'error',
        message: 'Account code (.*) 999 is not a valid code',
      }),
      row({
        storeId: 's2',
        tenantId: 't2',
        entity: 'invoice',
        entityId: '10',
        status: 'error',
        message: 'Invoice not of valid status for modification',
        mode: 'immediate',
      }),
    ]);
  });

  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('pages newest first with the total of all matches', async () => {
    const page1 = await log.search({ storeId: 's1' }, { page: 1, pageSize: 10 });
    const page3 = await log.search({ storeId: 's1' }, { page: 3, pageSize: 10 });
    expect(page1.total).toBe(25);
    expect(page1.items).toHaveLength(10);
    expect(page3.items).toHaveLength(5);
    const all = [
      ...page1.items,
      ...(await log.search({ storeId: 's1' }, { page: 2, pageSize: 10 })).items,
      ...page3.items,
    ];
    expect(new Set(all.map((r) => r.id)).size).toBe(25);
  });

  it('filters by org, entity, status, mode and date range, and sorts by another field', async () => {
    expect((await log.search({ tenantId: 't2', status: 'error' })).total).toBe(2);
    expect((await log.search({ tenantId: 't2', entity: 'invoice', mode: 'immediate' })).items[0].entityId).toBe('10');
    expect((await log.search({ from: new Date(Date.now() + 60000) })).total).toBe(0);
    expect((await log.search({ to: new Date(Date.now() + 60000), storeId: 's1' })).total).toBe(25);
    const slowest = await log.search({ storeId: 's1' }, { sort: 'durationMs', order: 'desc', pageSize: 1 });
    expect(slowest.items[0].durationMs).toBe(24);
  });

  it('matches free text literally and case-insensitively, never as a pattern or operator', async () => {
    expect((await log.search({ text: 'NOT OF VALID status' })).items.map((r) => r.entityId)).toEqual(['10']);
    expect((await log.search({ text: '(.*)' })).items.map((r) => r.entityId)).toEqual(['9']);
    expect((await log.search({ text: '.*' })).total).toBe(1);
    expect((await log.search({ storeId: { $ne: 'x' } as never })).total).toBe(0);
    expect(escapeRegex('a.b*c')).toBe('a\\.b\\*c');
  });

  it('retention deletes only the rows written before the cutoff', async () => {
    const now = Date.now();
    await conn.collection('sync_log').insertMany(
      [100, 95, 10].map((days) => ({
        ...row({ storeId: 's-retention', entityId: String(days) }),
        createdAt: new Date(now - days * 86_400_000),
      })),
    );
    expect(await log.deleteOlderThan(new Date(now - 90 * 86_400_000))).toBe(2);
    const left = await conn.collection('sync_log').find({ storeId: 's-retention' }).toArray();
    expect(left.map((r) => r.entityId)).toEqual(['10']);
    expect(await conn.collection('sync_log').countDocuments({ storeId: 's1' })).toBeGreaterThan(0);
  });
});
