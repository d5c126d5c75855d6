import { Harness, startHarness, tokenRequest, xeroClientFor, xeroError } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Xero API limits', () => {
  describe('on a real-time clock', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());

    it('allows 60 calls a minute, then 429 with Retry-After and X-Rate-Limit-Problem: minute; 429s are not counted', async () => {
      const remaining: number[] = [];
      for (let i = 0; i < 60; i++) {
        const res = await fetch(`${h.url}/api.xro/2.0/Organisation`, { headers: h.headers });
        expect(res.status).toBe(200);
        remaining.push(Number(res.headers.get('x-minlimit-remaining')));
      }
      expect(remaining[0]).toBe(59);
      expect(remaining[59]).toBe(0);
      const fail = await xeroError(h.api.getOrganisations(h.tenantId));
      expect(fail.status).toBe(429);
      expect(fail.headers['x-rate-limit-problem']).toBe('minute');
      expect(Number(fail.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(fail.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(fail.headers['x-minlimit-remaining']).toBe('0');
      expect(fail.headers['x-daylimit-remaining']).toBe('4940');
      await xeroError(h.api.getOrganisations(h.tenantId));
      const counters = await h.control.counters(h.tenantId);
      expect(counters).toMatchObject({ total: 62, http429: 2, byStatus: { '200': 60, '429': 2 } });
      // The next minute opens a new window; the day still counts only the 60 that were served.
      await h.control.post('/time', { advanceMs: 60_000 });
      const ok = await h.api.getOrganisations(h.tenantId);
      expect(ok.response.headers['x-minlimit-remaining']).toBe('59');
      expect(ok.response.headers['x-daylimit-remaining']).toBe('4939');
    });

    it('allows 5 calls in flight per org; the sixth gets 429 concurrent', async () => {
      await h.control.post('/time', { advanceMs: 60_000 });
      await h.control.post('/faults', { kind: 'latency', ms: 300, count: 5, tenantId: h.tenantId });
      const calls = Array.from({ length: 7 }, () =>
        h.api.getOrganisations(h.tenantId).then(
          () => 200,
          (e: string) => JSON.parse(e).response as { statusCode: number; headers: Record<string, string> },
        ),
      );
      const results = await Promise.all(calls);
      const rejected = results.filter((r) => r !== 200) as Array<{
        statusCode: number;
        headers: Record<string, string>;
      }>;
      expect(results.filter((r) => r === 200)).toHaveLength(5);
      expect(rejected.map((r) => [r.statusCode, r.headers['x-rate-limit-problem']])).toEqual([
        [429, 'concurrent'],
        [429, 'concurrent'],
      ]);
      expect((await h.control.counters(h.tenantId)).maxConcurrentSeen).toBe(5);
    });

    it('counts the app-wide minute across organisations, and reports quotas on 4xx answers too', async () => {
      const other = await h.control.post('/orgs', { name: 'Second Store' });
      await h.control.post('/custom-connections', { clientId: 'second', clientSecret: 's', tenantId: other.tenantId });
      const token = await tokenRequest(h.url, { id: 'second', secret: 's' }, { grant_type: 'client_credentials' });
      const xero2 = xeroClientFor(h.url, token.body.access_token);
      await h.control.post('/time', { advanceMs: 60_000 });
      const a = await h.api.getOrganisations(h.tenantId);
      const b = await xero2.accountingApi.getOrganisations(other.tenantId);
      expect(Number(a.response.headers['x-appminlimit-remaining']) - 1).toBe(
        Number(b.response.headers['x-appminlimit-remaining']),
      );
      expect(b.response.headers['x-minlimit-remaining']).toBe('59');
      const bad = await xeroError(h.api.createContacts(h.tenantId, { contacts: [{ firstName: 'No name' }] }));
      expect(bad.status).toBe(400);
      expect(bad.headers['x-minlimit-remaining']).toBe('58');
    });
  });

  it('starter tier: 1,000 calls a day on a 600× clock, then 429 day with Retry-After in real seconds', async () => {
    const h = await startHarness({ timeScale: 600, org: { tier: 'starter' } });
    try {
      let served = 0;
      let last: Response | undefined;
      while (served < 1100) {
        const res = await fetch(`${h.url}/api.xro/2.0/Currencies`, { headers: h.headers });
        if (res.status === 200) {
          served++;
          continue;
        }
        if (res.status === 401) {
          // The token's 30 Xero minutes are 3 real seconds here; a slow machine outlives it, as a client would.
          await h.renewToken();
          continue;
        }
        expect(res.status).toBe(429);
        if (res.headers.get('x-rate-limit-problem') === 'day') {
          last = res;
          break;
        }
        expect(res.headers.get('x-rate-limit-problem')).toBe('minute');
        // A Xero minute is 100 ms here; Retry-After still says 1 (whole seconds, never 0).
        expect(res.headers.get('retry-after')).toBe('1');
        await sleep(Number(res.headers.get('x-sandbox-retry-after-ms')));
      }
      expect(served).toBe(1000);
      expect(last!.headers.get('x-daylimit-remaining')).toBe('0');
      // The rest of the Xero day (~23.9 h) at 600× is about 143 real seconds.
      const retryAfter = Number(last!.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(100);
      expect(retryAfter).toBeLessThanOrEqual(144);
      const counters = await h.control.counters(h.tenantId);
      expect(counters.byStatus['200']).toBe(1000);
      expect(counters.perMinute.length).toBeGreaterThanOrEqual(17);
      expect(counters.perMinute.reduce((n: number, m: any) => n + m.calls, 0)).toBe(counters.total);
    } finally {
      await h.close();
    }
  });
});
