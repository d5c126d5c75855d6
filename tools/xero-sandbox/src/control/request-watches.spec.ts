import { RequestWatches } from './request-watches';

describe('RequestWatches', () => {
  const hit = (status: number, at = '2026-01-01T00:00:00.000Z') => ({ at, endpoint: 'POST /Contacts', status });

  it('notes requests whose body holds a watched text, up to the first one not rate-limited', () => {
    const w = new RequestWatches();
    w.add('a@example.com');
    w.seen(Buffer.from('{"EmailAddress":"b@example.com"}'), hit(200));
    w.seen(Buffer.from('{"EmailAddress":"a@example.com"}'), hit(429, '2026-01-01T00:00:01.000Z'));
    w.seen(Buffer.from('{"EmailAddress":"a@example.com"}'), hit(200, '2026-01-01T00:00:02.000Z'));
    w.seen(Buffer.from('{"EmailAddress":"a@example.com"}'), hit(200, '2026-01-01T00:00:03.000Z'));
    expect(w.view()).toEqual([
      {
        text: 'a@example.com',
        hits: [hit(429, '2026-01-01T00:00:01.000Z'), hit(200, '2026-01-01T00:00:02.000Z')],
      },
    ]);
  });

  it('forgets every watch on clear', () => {
    const w = new RequestWatches();
    w.add('x');
    w.clear();
    w.seen(Buffer.from('x'), hit(200));
    expect(w.view()).toEqual([]);
  });
});
