import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { fetchMagentoPeriod, MagentoStoreError } from './magento-store.client';

/** The tests' stores listen on 127.0.0.1 over http (the guard itself: libs/security outbound-http.client.spec.ts). */
const dev = { allowHttp: true, allowPrivate: true };

/** A local HTTP server answering with `handle`; records every request URL. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: URL[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(new URL(req.url ?? '/', 'http://x'));
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('fetchMagentoPeriod', () => {
  it('reads every page of the period with the bearer token and created_at filters', async () => {
    const items = Array.from({ length: 450 }, (_, i) => ({ entity_id: i + 1 }));
    const s = await serve((req, res) => {
      if (req.headers.authorization !== 'Bearer tok') return json(res, 401, { message: 'no' });
      const q = new URL(req.url!, 'http://x').searchParams;
      const page = Number(q.get('searchCriteria[currentPage]'));
      const size = Number(q.get('searchCriteria[pageSize]'));
      json(res, 200, { items: items.slice((page - 1) * size, page * size), total_count: items.length });
    });
    try {
      const got = await fetchMagentoPeriod(
        { baseUrl: `${s.url}/`, token: 'tok' },
        'order',
        '2026-01-01 00:00:00',
        '2026-02-01 00:00:00',
        dev,
      );
      expect(got.map((o) => o.entity_id)).toEqual(items.map((o) => o.entity_id));
      expect(s.seen.map((u) => u.searchParams.get('searchCriteria[currentPage]'))).toEqual(['1', '2', '3']);
      const q = s.seen[0].searchParams;
      expect(s.seen[0].pathname).toBe('/rest/V1/orders');
      expect(q.get('searchCriteria[filter_groups][0][filters][0][field]')).toBe('created_at');
      expect(q.get('searchCriteria[filter_groups][0][filters][0][value]')).toBe('2026-01-01 00:00:00');
      expect(q.get('searchCriteria[filter_groups][0][filters][0][condition_type]')).toBe('gteq');
      expect(q.get('searchCriteria[filter_groups][1][filters][0][value]')).toBe('2026-02-01 00:00:00');
      expect(q.get('searchCriteria[filter_groups][1][filters][0][condition_type]')).toBe('lt');
    } finally {
      await s.close();
    }
  });

  it('refuses plain http and loopback under the production policy, before connecting', async () => {
    let reached = false;
    const s = await serve((_req, res) => ((reached = true), json(res, 200, { items: [], total_count: 0 })));
    try {
      const strict = { allowHttp: false, allowPrivate: false };
      const http = await fetchMagentoPeriod(
        { baseUrl: s.url, token: 't' },
        'order',
        '2026-01-01 00:00:00',
        undefined,
        strict,
      ).catch((e: unknown) => e as MagentoStoreError);
      expect((http as MagentoStoreError).reason).toMatch(/http URLs are refused/);
      const loopback = await fetchMagentoPeriod(
        { baseUrl: s.url, token: 't' },
        'order',
        '2026-01-01 00:00:00',
        undefined,
        { allowHttp: true, allowPrivate: false },
      ).catch((e: unknown) => e as MagentoStoreError);
      expect((loopback as MagentoStoreError).reason).toMatch(/127\.0\.0\.1 is not a public address/);
      expect(reached).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('refuses to follow a redirect (the token would go with it)', async () => {
    let followed = false;
    const target = await serve((_req, res) => {
      followed = true;
      json(res, 200, { items: [], total_count: 0 });
    });
    const s = await serve((_req, res) => {
      res.writeHead(302, { Location: `${target.url}/rest/V1/invoices` });
      res.end();
    });
    try {
      const err = await fetchMagentoPeriod(
        { baseUrl: s.url, token: 'tok' },
        'invoice',
        '2026-01-01 00:00:00',
        undefined,
        dev,
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MagentoStoreError);
      expect(err).toMatchObject({ status: 302 });
      expect(followed).toBe(false);
      expect(s.seen[0].searchParams.has('searchCriteria[filter_groups][1][filters][0][value]')).toBe(false);
    } finally {
      await s.close();
      await target.close();
    }
  });

  it('names the status and what was expected when Magento refuses, never its answer, and an unreachable store', async () => {
    const s = await serve((_req, res) => json(res, 401, { message: "The consumer isn't authorized" }));
    try {
      const err = await fetchMagentoPeriod(
        { baseUrl: s.url, token: 'bad' },
        'creditmemo',
        '2026-01-01 00:00:00',
        undefined,
        dev,
      ).catch((e: unknown) => e as MagentoStoreError);
      expect(err).toMatchObject({ status: 401 });
      expect((err as MagentoStoreError).reason).toBe('creditmemo page 1: expected 200 with a search result');
      expect((err as MagentoStoreError).message).not.toMatch(/authorized/);
    } finally {
      await s.close();
    }
    const down = await fetchMagentoPeriod(
      { baseUrl: s.url, token: 'x' },
      'order',
      '2026-01-01 00:00:00',
      undefined,
      dev,
    ).catch((e: unknown) => e as MagentoStoreError);
    expect(down).toMatchObject({ status: 0 });
  });
});
