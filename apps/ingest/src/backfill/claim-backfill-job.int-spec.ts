import mongoose, { Connection } from 'mongoose';
import { loadConfig } from '@xero-sync/config';
import { testMongoUri } from '@xero-sync/testing';
import {
  BackfillJob,
  BackfillJobRepository,
  BackfillJobSchema,
  Lease,
  leaseKeys,
  LeaseRepository,
  LeaseSchema,
} from '@xero-sync/persistence';
import { ClaimBackfillJobUseCase } from './claim-backfill-job.usecase';

const progress = (published: number) => ({ total: 100, published, failed: 0, errors: [], cursor: { line: published } });

// Two ingest workers, each with its own connection, race for the same backfill job on FerretDB. The job's old
// conditional findOneAndUpdate claim handed one job to both workers in 41 of 50 rounds there; the lease must not.
describe('claiming a backfill job on FerretDB', () => {
  const uri = testMongoUri();
  let conns: Connection[];
  let jobs: BackfillJobRepository[];
  let workers: ClaimBackfillJobUseCase[];

  beforeAll(async () => {
    conns = await Promise.all([0, 1].map(() => mongoose.createConnection(uri, { maxPoolSize: 4 }).asPromise()));
    jobs = conns.map((c) => new BackfillJobRepository(c.model(BackfillJob.name, BackfillJobSchema)));
    workers = conns.map(
      (c, i) =>
        new ClaimBackfillJobUseCase(
          jobs[i],
          new LeaseRepository(c.model(Lease.name, LeaseSchema)),
          loadConfig({}, { SYNCER_INSTANCE_ID: `worker-${i}` }),
        ),
    );
    await conns[0].model(BackfillJob.name).syncIndexes();
  });
  afterAll(async () => {
    await conns[0].dropDatabase();
    await Promise.all(conns.map((c) => c.close()));
  });

  it('hands a job to exactly one of two concurrent claimers (50 rounds)', async () => {
    for (let round = 0; round < 50; round++) {
      const job = await jobs[0].create({ storeId: 's1', source: 'magento', entities: ['customer'] });
      const got = await Promise.all(workers.map((w) => w.execute(job.jobId)));
      const winners = got.filter((g) => g !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0].job).toMatchObject({ jobId: job.jobId, status: 'running' });
      // Only the winner's progress is written.
      const fence = { id: String((await conns[0].collection('backfill_jobs').findOne({ jobId: job.jobId }))!._id) };
      const loserRepo = jobs[got[0] ? 1 : 0];
      expect(await loserRepo.recordProgress({ ...fence, owner: 'someone-else', epoch: 1 }, progress(5))).toBe(false);
      expect(await winners[0].saveProgress(progress(10))).toBe(true);
      expect(await jobs[0].findById(job.jobId)).toMatchObject({ published: 10 });
    }
  });

  it('a worker whose lease was taken over can neither save progress nor finish the job', async () => {
    const job = await jobs[0].create({ storeId: 's1', source: 'ndjson', entities: [] });
    const first = (await workers[0].execute(job.jobId))!;
    expect(await workers[1].execute(job.jobId)).toBeNull();
    // The first worker stalls past its lease (as if its process hung); the second takes the job over.
    await conns[0]
      .collection<Lease>('leases')
      .updateMany({ key: leaseKeys.backfill(job.jobId) }, { $set: { expiresAt: new Date(Date.now() - 1) } });
    const second = (await workers[1].execute(job.jobId))!;
    expect(second).not.toBeNull();
    expect(await second.saveProgress(progress(40))).toBe(true);

    expect(await first.saveProgress(progress(99))).toBe(false);
    await first.finish('failed', progress(99), 'stalled');
    expect(await jobs[0].findById(job.jobId)).toMatchObject({ status: 'running', published: 40 });

    await second.finish('succeeded', progress(100));
    expect(await jobs[0].findById(job.jobId)).toMatchObject({ status: 'succeeded', published: 100 });
    expect(await workers[0].execute(job.jobId)).toBeNull();
    expect(await conns[0].collection('leases').countDocuments({ key: leaseKeys.backfill(job.jobId) })).toBe(0);
  });
});
