import { commandLoggingRepository } from '@xero-sync/testing';
import { RecordedCall, RequestStatsRepository } from './request-stat.repository';
import { RequestStat, RequestStatSchema } from './request-stat.schema';

/** Many calls counted in one command on FerretDB: the sums and the latest quota headers are what one-by-one gives. */
describe('RequestStatsRepository.recordCalls on FerretDB', () => {
  const db = commandLoggingRepository(RequestStat.name, RequestStatSchema, (m) => new RequestStatsRepository(m));

  const at = (s: number) => new Date(Date.UTC(2026, 11, 5, 10, 0, s));
  const call = (tenantId: string, s: number, more: Partial<RecordedCall> = {}): RecordedCall => ({
    tenantId,
    endpoint: 'POST_Invoices',
    instance: 'syncer-1',
    status: 200,
    at: at(s),
    ...more,
  });

  it('counts calls of two orgs in one command, summed per org, the latest call setting the quota headers', async () => {
    await db.repo.recordCall(call('org-a', 0, { minuteRemaining: 59, dayRemaining: 4999 }));
    db.commands.length = 0;
    await db.repo.recordCalls([
      call('org-a', 3, { endpoint: 'PUT_Payments', minuteRemaining: 55, dayRemaining: 4995 }),
      call('org-b', 1, { status: 429, callClass: 'sync-now' }),
      call('org-a', 2, { minuteRemaining: 57, dayRemaining: 4997, status: 400 }),
      call('org-b', 2, { instance: 'admin' }),
    ]);
    expect(db.commands).toEqual(['update']);

    const a = await db.repo.get('org-a', '2026-12-05');
    expect(a).toMatchObject({
      calls: 3,
      failed: 1,
      http429: 0,
      byEndpoint: { POST_Invoices: 2, PUT_Payments: 1 },
      byClass: { sync: 3 },
      minuteRemaining: 55,
      dayRemaining: 4995,
      lastCallAt: at(3),
    });
    const b = await db.repo.get('org-b', '2026-12-05');
    expect(b).toMatchObject({ calls: 2, http429: 1, failed: 1, byClass: { 'sync-now': 1, sync: 1 } });
    // Each process keeps its own document: the admin instance's call did not go into syncer-1's.
    const docs = await db.conn.collection('request_stats').find({ tenantId: 'org-b' }).sort({ _id: 1 }).toArray();
    expect(docs.map((d) => [d._id, d.calls])).toEqual([
      ['org-b|2026-12-05|admin', 1],
      ['org-b|2026-12-05|syncer-1', 1],
    ]);
  });
});
