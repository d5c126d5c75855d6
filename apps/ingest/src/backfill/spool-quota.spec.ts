import { loadConfig } from '@xero-sync/config';
import type { UploadReservationRecord, UploadReservationRepository } from '@xero-sync/persistence';
import { RESERVATION_RENEW_MS, RESERVATION_TTL_MS, SpoolQuota, spoolQuotaRefusal } from './spool-quota';

const limits = { uploads: 2, bytes: 1000 };

/** The upload_reservations collection in memory: every method the quota may call, nothing else. */
class FakeReservations {
  readonly docs = new Map<string, UploadReservationRecord>();
  failFind = false;

  async insert(r: Omit<UploadReservationRecord, 'uploading'>): Promise<void> {
    if (this.docs.has(r.uploadId)) throw new Error(`duplicate ${r.uploadId}`);
    this.docs.set(r.uploadId, { ...r, uploading: true });
  }
  async putSpooled(r: Omit<UploadReservationRecord, 'uploading'>): Promise<void> {
    this.docs.set(r.uploadId, { ...r, uploading: false });
  }
  async findOfStore(storeId: string): Promise<UploadReservationRecord[]> {
    if (this.failFind) throw new Error('connection refused');
    return [...this.docs.values()].filter((d) => d.storeId === storeId).map((d) => ({ ...d }));
  }
  async markUploaded(uploadId: string, expiresAt: Date): Promise<void> {
    const d = this.docs.get(uploadId);
    if (d) this.docs.set(uploadId, { ...d, uploading: false, expiresAt });
  }
  async renew(ids: string[], expiresAt: Date): Promise<void> {
    for (const id of ids) {
      const d = this.docs.get(id);
      if (d) this.docs.set(id, { ...d, expiresAt });
    }
  }
  async deleteMany(ids: string[]): Promise<void> {
    for (const id of ids) this.docs.delete(id);
  }
}

function quotaOn(fake: FakeReservations, instance = 'a'): SpoolQuota {
  const config = loadConfig(
    {},
    {
      SYNCER_INSTANCE_ID: instance,
      INGEST_BACKFILL_UPLOADS_PER_STORE: String(limits.uploads),
      INGEST_BACKFILL_SPOOL_BYTES_PER_STORE: String(limits.bytes),
    },
  );
  return new SpoolQuota(config, fake as unknown as UploadReservationRepository);
}

describe('spoolQuotaRefusal', () => {
  it('admits while the store has free upload slots and bytes', () => {
    expect(spoolQuotaRefusal([], 1000, limits)).toBeNull();
    expect(spoolQuotaRefusal([{ uploading: true, bytes: 400 }], 600, limits)).toBeNull();
    // Spooled but no longer uploading: counts bytes, not a slot.
    expect(
      spoolQuotaRefusal(
        [
          { uploading: false, bytes: 100 },
          { uploading: false, bytes: 100 },
          { uploading: true, bytes: 100 },
        ],
        10,
        limits,
      ),
    ).toBeNull();
  });

  it('refuses UPLOADS_IN_PROGRESS first when the slots are taken, whatever the bytes', () => {
    const refusal = spoolQuotaRefusal(
      [
        { uploading: true, bytes: 600 },
        { uploading: true, bytes: 600 },
      ],
      1,
      limits,
    );
    expect(refusal).toMatchObject({
      code: 'UPLOADS_IN_PROGRESS',
      message: 'this store already has 2 upload(s) in progress',
    });
  });

  it('refuses SPOOL_QUOTA_EXCEEDED when the other reservations plus this upload exceed the bytes', () => {
    expect(spoolQuotaRefusal([], 1001, limits)).toMatchObject({ code: 'SPOOL_QUOTA_EXCEEDED' });
    const refusal = spoolQuotaRefusal([{ uploading: false, bytes: 700 }], 301, limits);
    expect(refusal).toMatchObject({
      code: 'SPOOL_QUOTA_EXCEEDED',
      errors: [{ path: 'header:X-Content-Length', message: expect.stringContaining('700 bytes are spooled') }],
    });
  });
});

describe('SpoolQuota', () => {
  afterEach(() => jest.useRealTimers());

  it('stores one reservation per upload, frees its slot when uploaded and deletes it on release', async () => {
    const fake = new FakeReservations();
    const quota = quotaOn(fake);
    const r = await quota.reserve('s1', 'u1', 300);
    expect(fake.docs.get('u1')).toMatchObject({ storeId: 's1', bytes: 300, owner: 'ingest-a', uploading: true });
    await r.uploadDone();
    expect(fake.docs.get('u1')).toMatchObject({ uploading: false, bytes: 300 });
    await r.release();
    await r.release();
    expect(fake.docs.size).toBe(0);
    quota.onModuleDestroy();
  });

  it("counts other processes' reservations and deletes its own when refused", async () => {
    const fake = new FakeReservations();
    const other = quotaOn(fake, 'b');
    await other.reserve('s1', 'b1', 100);
    await other.reserve('s1', 'b2', 100);
    const quota = quotaOn(fake);
    await expect(quota.reserve('s1', 'u1', 10)).rejects.toMatchObject({ code: 'UPLOADS_IN_PROGRESS' });
    await expect(quota.reserve('s2', 'u2', 1001)).rejects.toMatchObject({ code: 'SPOOL_QUOTA_EXCEEDED' });
    expect([...fake.docs.keys()].sort()).toEqual(['b1', 'b2']);
    other.onModuleDestroy();
  });

  it('ignores and deletes lapsed reservations of a vanished process', async () => {
    const fake = new FakeReservations();
    fake.docs.set('dead', {
      uploadId: 'dead',
      storeId: 's1',
      bytes: 1000,
      owner: 'ingest-crashed',
      uploading: true,
      expiresAt: new Date(Date.now() - 1),
    });
    const quota = quotaOn(fake);
    const r = await quota.reserve('s1', 'u1', 1000);
    expect([...fake.docs.keys()]).toEqual(['u1']);
    await r.release();
  });

  it('renews what it holds, so only a stopped process lets its reservations lapse', async () => {
    jest.useFakeTimers({ now: 0 });
    const fake = new FakeReservations();
    const quota = quotaOn(fake);
    await quota.reserve('s1', 'u1', 10);
    const r2 = await quota.reserve('s1', 'u2', 10);
    expect(fake.docs.get('u1')!.expiresAt.getTime()).toBe(RESERVATION_TTL_MS);
    await jest.advanceTimersByTimeAsync(RESERVATION_RENEW_MS);
    expect(fake.docs.get('u1')!.expiresAt.getTime()).toBe(RESERVATION_RENEW_MS + RESERVATION_TTL_MS);
    expect(fake.docs.get('u2')!.expiresAt.getTime()).toBe(RESERVATION_RENEW_MS + RESERVATION_TTL_MS);
    await r2.release();
    quota.onModuleDestroy();
    await jest.advanceTimersByTimeAsync(RESERVATION_RENEW_MS);
    expect(fake.docs.get('u1')!.expiresAt.getTime()).toBe(RESERVATION_RENEW_MS + RESERVATION_TTL_MS);
  });

  it("re-reserves a resumed job's spool over its dead process's leftover, without a check", async () => {
    const fake = new FakeReservations();
    const dead = quotaOn(fake, 'dead');
    await dead.reserve('s1', 'job-1', 900);
    await dead.reserve('s1', 'job-2', 100);
    dead.onModuleDestroy();
    const quota = quotaOn(fake, 'restarted');
    const r = await quota.hold('s1', 'job-1', 900);
    expect(fake.docs.get('job-1')).toMatchObject({ owner: 'ingest-restarted', bytes: 900, uploading: false });
    expect(fake.docs.size).toBe(2);
    await r.uploadDone();
    await r.release();
    expect([...fake.docs.keys()]).toEqual(['job-2']);
  });

  it('answers a database failure with a retryable 503 code and leaves no reservation', async () => {
    const fake = new FakeReservations();
    fake.failFind = true;
    await expect(quotaOn(fake).reserve('s1', 'u1', 10)).rejects.toMatchObject({ code: 'STORE_REGISTRY_UNAVAILABLE' });
    expect(fake.docs.size).toBe(0);
  });
});
