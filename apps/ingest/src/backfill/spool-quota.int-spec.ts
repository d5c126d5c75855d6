import mongoose, { Connection } from 'mongoose';
import { loadConfig } from '@xero-sync/config';
import { testMongoUri } from '@xero-sync/testing';
import { UploadReservation, UploadReservationRepository, UploadReservationSchema } from '@xero-sync/persistence';
import { IngestError } from '../ingest.errors';
import { SpoolQuota, SpoolReservation } from './spool-quota';

const UPLOADS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BYTES = 1000;

// Two ingest processes, each with its own connection, race for one store's last upload slot or last spool bytes on
// FerretDB, whose concurrent conditional updates are not serialised: the limits must come from inserts and reads.
describe('per-store upload limits across ingest processes on FerretDB', () => {
  const uri = testMongoUri();
  let conns: Connection[];
  let quotas: SpoolQuota[];
  const commands: string[] = [];

  const quotaOn = (conn: Connection, instance: string) =>
    new SpoolQuota(
      loadConfig(
        {},
        {
          SYNCER_INSTANCE_ID: instance,
          INGEST_BACKFILL_UPLOADS_PER_STORE: String(UPLOADS),
          INGEST_BACKFILL_SPOOL_BYTES_PER_STORE: String(BYTES),
        },
      ),
      new UploadReservationRepository(conn.model(UploadReservation.name, UploadReservationSchema)),
    );
  const reservationsOf = (storeId: string) =>
    conns[0].collection<UploadReservation>('upload_reservations').find({ storeId }).toArray();
  /** The reservation, or the code it was refused with. */
  const attempt = (quota: SpoolQuota, storeId: string, uploadId: string, bytes: number) =>
    quota.reserve(storeId, uploadId, bytes).then(
      (r) => r,
      (err: unknown) => {
        if (err instanceof IngestError) return err.code;
        throw err;
      },
    );

  /**
   * Both processes try at once; the second starts 0 to 40 ms later depending on the round, so the rounds cover
   * fully overlapping attempts (both may be refused) as well as ones where the first is through before the second.
   */
  const race = <T>(round: number, tryOn: (quota: SpoolQuota, i: number) => Promise<T>): Promise<T[]> =>
    Promise.all(quotas.map((q, i) => sleep(i * [0, 0, 5, 15, 40][round % 5]).then(() => tryOn(q, i))));

  beforeAll(async () => {
    conns = await Promise.all(
      [0, 1, 2].map((i) => mongoose.createConnection(uri, { maxPoolSize: 4, monitorCommands: i === 0 }).asPromise()),
    );
    conns[0].getClient().on('commandStarted', (e) => commands.push(e.commandName));
    quotas = [quotaOn(conns[0], 'a'), quotaOn(conns[1], 'b')];
    // Each connection's model builds its indexes in the background (autoIndex): wait for both, so that no
    // `createIndexes` lands among the commands a test counts.
    await Promise.all(conns.slice(0, 2).map((c) => c.model(UploadReservation.name, UploadReservationSchema).init()));
    await conns[0].model(UploadReservation.name, UploadReservationSchema).syncIndexes();
  });
  afterAll(async () => {
    quotas.forEach((q) => q.onModuleDestroy());
    await conns[0].dropDatabase();
    await Promise.all(conns.map((c) => c.close()));
  });

  it('holds an upload with four commands: insert and find before the body, an update and a delete after', async () => {
    commands.length = 0;
    const r = await quotas[0].reserve('cmd-store', 'cmd-1', 10);
    expect(commands).toEqual(['insert', 'find']);
    await r.uploadDone();
    await r.release();
    expect(commands).toEqual(['insert', 'find', 'update', 'delete']);
    expect(await reservationsOf('cmd-store')).toEqual([]);
  });

  it("two processes racing for a store's last upload slot: one wins or both refuse, never both (40 rounds)", async () => {
    let won = 0;
    for (let round = 0; round < 40; round++) {
      const storeId = `slot-${round}`;
      const first = await quotas[0].reserve(storeId, `${storeId}-held`, 10);
      const got = await race(round, (q, i) => attempt(q, storeId, `${storeId}-${i}`, 10));
      const winners = got.filter((g): g is SpoolReservation => typeof g !== 'string');
      expect(winners.length).toBeLessThanOrEqual(1);
      for (const g of got) if (typeof g === 'string') expect(g).toBe('UPLOADS_IN_PROGRESS');
      // What is persisted is exactly the held upload and the winner, both uploading.
      const docs = await reservationsOf(storeId);
      expect(docs).toHaveLength(1 + winners.length);
      expect(docs.filter((d) => d.uploading)).toHaveLength(docs.length);
      won += winners.length;
      await Promise.all([first, ...winners].map((r) => r.release()));
      expect(await reservationsOf(storeId)).toEqual([]);
    }
    // Both refusing is allowed, but the slot is not simply never given.
    expect(won).toBeGreaterThan(0);
  });

  it("two processes racing for a store's last spool bytes, the first upload already spooled: never both (40 rounds)", async () => {
    let won = 0;
    for (let round = 0; round < 40; round++) {
      const storeId = `bytes-${round}`;
      const spooled = await quotas[1].reserve(storeId, `${storeId}-spooled`, 600);
      await spooled.uploadDone();
      const got = await race(round, (q, i) => attempt(q, storeId, `${storeId}-${i}`, 300));
      const winners = got.filter((g): g is SpoolReservation => typeof g !== 'string');
      expect(winners.length).toBeLessThanOrEqual(1);
      for (const g of got) if (typeof g === 'string') expect(g).toBe('SPOOL_QUOTA_EXCEEDED');
      const docs = await reservationsOf(storeId);
      expect(docs.reduce((sum, d) => sum + d.bytes, 0)).toBe(600 + 300 * winners.length);
      won += winners.length;
      await Promise.all([spooled, ...winners].map((r) => r.release()));
    }
    expect(won).toBeGreaterThan(0);
  });

  it('a reservation whose process vanished counts until its expiry, then lapses and is deleted', async () => {
    const storeId = 'vanished';
    const crashed = quotaOn(conns[2], 'crashed');
    await crashed.reserve(storeId, 'crashed-1', 900);
    await crashed.reserve(storeId, 'crashed-2', 50);
    // The process dies: no release, no more renewals.
    crashed.onModuleDestroy();
    await conns[2].close();

    expect(await attempt(quotas[0], storeId, 'early', 10)).toBe('UPLOADS_IN_PROGRESS');
    expect((await reservationsOf(storeId)).map((d) => d._id).sort()).toEqual(['crashed-1', 'crashed-2']);

    // Its reservations reach their expiry unrenewed (as RESERVATION_TTL_MS after its last renewal).
    await conns[0]
      .collection<UploadReservation>('upload_reservations')
      .updateMany({ _id: { $in: ['crashed-1', 'crashed-2'] } }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    const after = await quotas[1].reserve(storeId, 'after', BYTES);
    expect(await reservationsOf(storeId)).toEqual([
      expect.objectContaining({ _id: 'after', owner: 'ingest-b', bytes: BYTES, uploading: true }),
    ]);
    await after.release();
  });

  it("a job resumed from its spool on a restarted process takes over its dead predecessor's reservation", async () => {
    const storeId = 'resumed';
    const dead = quotaOn(conns[1], 'dead');
    await dead.reserve(storeId, 'job-1', 700);
    dead.onModuleDestroy();
    const restarted = await quotas[0].hold(storeId, 'job-1', 700);
    expect(await reservationsOf(storeId)).toEqual([
      expect.objectContaining({ _id: 'job-1', owner: 'ingest-a', bytes: 700, uploading: false }),
    ]);
    expect(await attempt(quotas[1], storeId, 'job-2', 301)).toBe('SPOOL_QUOTA_EXCEEDED');
    await restarted.release();
    expect(await reservationsOf(storeId)).toEqual([]);
  });
});
