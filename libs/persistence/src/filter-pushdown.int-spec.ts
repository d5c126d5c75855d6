import mongoose, { Connection } from 'mongoose';
import { ObjectId } from 'mongodb';
import { testMongoUri } from '@xero-sync/testing';
import { isFerretDb } from './update-where';

// FerretDB built by scripts/infra.sh (infra/ferretdb/filter-pushdown.patch) hands SQLite a filter's string
// equalities so it skips the rows that cannot match, instead of decoding every document of the collection. The
// rows it selects must still include every match: these filters must give exactly what MongoDB gives, including
// the shapes where a naive push-down would lose documents (arrays, dotted paths, odd field names and strings).
describe('filter push-down (FerretDB built by scripts/infra.sh)', () => {
  let conn: Connection;
  const oid = new ObjectId();

  beforeAll(async () => {
    conn = await mongoose.createConnection(testMongoUri()).asPromise();
    const docs = conn.db!.collection('pushdown_docs');
    await docs.drop().catch(() => undefined);
    await docs.createIndex({ storeId: 1, status: 1, nextAttemptAt: 1 });
    await docs.insertMany([
      {
        _id: 'a',
        storeId: 's1',
        status: 'pending',
        tags: ['x', 'y'],
        tenants: [{ tenantId: 't1' }, { tenantId: 't2' }],
      },
      { _id: 'b', storeId: 's2', status: 'pending', tenants: [{ tenantId: 't3' }] },
      { _id: 'c', storeId: ['s1', 's3'], status: 'synced' },
      { _id: 'd', storeId: 's1', status: 'failed', note: 'has "quotes" <&> é \u2028 \\ end' },
      { _id: 'e', other: 's1', status: 'pending' },
      { _id: 'f', storeId: { nested: 's1' } },
      { _id: 'g', storeId: '[s1' },
      { _id: 'h', ref: oid, storeId: 's9' },
      { _id: 'i', 'we-ird': 'v', storeId: 's1', nested: { deep: { k: 'z' } } },
      { _id: oid as unknown as string, storeId: 's1' },
    ] as never[]);
  });

  afterAll(async () => {
    await conn
      .db!.collection('pushdown_docs')
      .drop()
      .catch(() => undefined);
    await conn.close();
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    ['a string on an indexed field (arrays that hold it included)', { storeId: 's1' }, ['a', 'c', 'd', 'i', 'OID']],
    ['two equalities', { storeId: 's1', status: 'pending' }, ['a']],
    ['$in', { storeId: { $in: ['s2', 's3'] } }, ['b', 'c']],
    ['$eq', { storeId: { $eq: 's2' } }, ['b']],
    ['a dotted path into an array of documents', { 'tenants.tenantId': 't2' }, ['a']],
    ['$in on a dotted path', { 'tenants.tenantId': { $in: ['t3', 'zz'] } }, ['b']],
    ['an array field without an index', { tags: 'y' }, ['a']],
    ['quotes, HTML characters, non-ASCII and a backslash', { note: 'has "quotes" <&> é \u2028 \\ end' }, ['d']],
    ['a field name that is not a plain label', { 'we-ird': 'v' }, ['i']],
    ['a deep dotted path', { 'nested.deep.k': 'z' }, ['i']],
    ['a string that starts like an array', { storeId: '[s1' }, ['g']],
    ['an ObjectId on another field', { ref: oid }, ['h']],
    ['an ObjectId _id', { _id: oid }, ['OID']],
    ['an _id list with another equality', { _id: { $in: ['a', 'b', 'c'] }, storeId: 's1' }, ['a', 'c']],
    ['an equality beside $or', { storeId: 's1', $or: [{ status: 'pending' }, { status: 'failed' }] }, ['a', 'd']],
    ['no match', { storeId: 'nope' }, []],
    ['an empty $in', { status: { $in: [] } }, []],
  ];

  it.each(cases)('%s: find, count, update and delete select exactly what MongoDB does', async (_, filter, want) => {
    const docs = conn.db!.collection('pushdown_docs');
    const expected = want.map((id) => (id === 'OID' ? String(oid) : id)).sort();
    const found = (await docs.find(filter).toArray()).map((d) => String(d._id)).sort();
    expect(found).toEqual(expected);
    expect(await docs.countDocuments(filter)).toBe(expected.length);
    const mark = `m-${Math.random()}`;
    const updated = await docs.updateMany(filter, { $set: { mark } });
    expect(updated.matchedCount).toBe(expected.length);
    const marked = (await docs.find({ mark }).toArray()).map((d) => String(d._id)).sort();
    expect(marked).toEqual(expected);
  });

  it('finds strings that JSON escapes on an indexed field (the index expression holds the escaped text)', async () => {
    const docs = conn.db!.collection('pushdown_escapes');
    await docs.drop().catch(() => undefined);
    await docs.createIndex({ storeId: 1 });
    const values = [
      'a<b',
      'a&b>c',
      'é',
      'x\u2028y',
      'q"uote',
      'back\\slash',
      'tab\tnew\nline',
      '\u0001ctl',
      '😀',
      '/s',
    ];
    await docs.insertMany(values.map((storeId, i) => ({ _id: `v${i}`, storeId })) as never[]);
    for (const [i, storeId] of values.entries())
      expect((await docs.find({ storeId }).toArray()).map((d) => String(d._id))).toEqual([`v${i}`]);
    await docs.drop();
  });

  // The patched FerretDB writes an update's modified documents 100 to a transaction.
  it('an updateMany over 250 documents changes and reports every one; findOneAndUpdate returns the changed one', async () => {
    const docs = conn.db!.collection('pushdown_many');
    await docs.drop().catch(() => undefined);
    await docs.insertMany(Array.from({ length: 250 }, (_, i) => ({ _id: `m${i}`, n: i, group: 'g' })) as never[]);
    const res = await docs.updateMany({ group: 'g' }, { $inc: { n: 1000 }, $set: { done: true } });
    expect([res.matchedCount, res.modifiedCount]).toEqual([250, 250]);
    const after = await docs.find({ group: 'g' }).sort({ n: 1 }).toArray();
    expect(after.map((d) => d.n)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1000));
    expect(after.every((d) => d.done === true)).toBe(true);
    const one = await docs.findOneAndUpdate({ _id: 'm7' as never }, { $set: { n: -1 } }, { returnDocument: 'after' });
    expect(one?.n).toBe(-1);
    await docs.drop();
  });

  it('deletes exactly the matching documents', async () => {
    const docs = conn.db!.collection('pushdown_docs');
    await docs.insertMany([
      { _id: 'del-1', tenants: [{ tenantId: 'gone' }] },
      { _id: 'del-2', tenants: [{ tenantId: 'kept' }], note: 'gone' },
    ] as never[]);
    expect((await docs.deleteMany({ 'tenants.tenantId': 'gone' })).deletedCount).toBe(1);
    expect(await docs.findOne({ _id: 'del-2' as never })).not.toBeNull();
    await docs.deleteOne({ _id: 'del-2' as never });
  });

  it('on FerretDB, reports the string equalities as pushed down and answers an indexed one from its index', async () => {
    if (!(await isFerretDb(conn))) return;
    const explain = (filter: Record<string, unknown>) =>
      conn.db!.command({ explain: { find: 'pushdown_docs', filter } }) as Promise<{
        filterPushdown?: boolean;
        queryPlanner?: { Plan?: string[] };
      }>;
    const indexed = await explain({ storeId: 's1', nextAttemptAt: { $lte: new Date() } });
    expect(indexed.filterPushdown).toBe(true);
    expect(indexed.queryPlanner?.Plan?.join(' ')).toMatch(/USING INDEX/);
    expect((await explain({ 'tenants.tenantId': 't1', status: { $ne: 'authorizing' } })).filterPushdown).toBe(true);
    expect((await explain({ nextAttemptAt: { $lte: new Date() } })).filterPushdown).toBe(false);
  });
});
