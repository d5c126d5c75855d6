import mongoose, { Connection } from 'mongoose';
import { testMongoUri } from '@xero-sync/testing';
import {
  PendingChange,
  PendingChangeSchema,
  RETIRED_PENDING_CHANGE_INDEXES,
} from './pending-changes/pending-change.schema';
import { dropRetiredIndexes } from './retired-indexes';

// A deployment made by an earlier version still has the queue's retired indexes: the start drops them, leaves the
// declared ones, and a second start (or a second process) finds nothing left to drop.
describe('dropRetiredIndexes on FerretDB', () => {
  let conn: Connection;

  beforeAll(async () => {
    conn = await mongoose.createConnection(testMongoUri()).asPromise();
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it("drops an earlier version's pending_changes indexes, keeps the declared ones, and is idempotent", async () => {
    const model = conn.model(PendingChange.name, PendingChangeSchema);
    await model.init();
    // What an earlier version declared on top of today's indexes.
    await model.collection.createIndex({ claimToken: 1 });
    await model.collection.createIndex({ status: 1 });
    const before = (await model.collection.indexes()).map((i) => i.name);
    expect(before).toEqual(expect.arrayContaining(RETIRED_PENDING_CHANGE_INDEXES));

    expect((await dropRetiredIndexes(model, RETIRED_PENDING_CHANGE_INDEXES)).sort()).toEqual(
      [...RETIRED_PENDING_CHANGE_INDEXES].sort(),
    );
    const after = (await model.collection.indexes()).map((i) => i.name).sort();
    expect(after).toEqual([
      '_id_',
      'status_1_nextAttemptAt_1',
      'storeId_1_entity_1_entityId_1',
      'storeId_1_status_1_nextAttemptAt_1',
    ]);
    expect(await dropRetiredIndexes(model, RETIRED_PENDING_CHANGE_INDEXES)).toEqual([]);
  });

  it('finds nothing to drop on a collection that does not exist yet', async () => {
    const model = conn.model(
      'Absent',
      new mongoose.Schema({}, { autoIndex: false, autoCreate: false }),
      'never_created',
    );
    expect(await dropRetiredIndexes(model, RETIRED_PENDING_CHANGE_INDEXES)).toEqual([]);
    expect((await conn.db!.listCollections({ name: 'never_created' }).toArray()).length).toBe(0);
  });
});
