import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { outboundGet, OutboundPolicy, OutboundRefusedError } from './outbound-http.client';
import { isPublicAddress } from './public-address';

/** A resolver stub: each name answers the next address of its list (the last one repeats). */
function stubResolver(answers: Record<string, string[]>): { lookup: LookupFunction; asked: string[] } {
  const asked: string[] = [];
  const lookup = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    asked.push(hostname);
    const list = answers[hostname];
    if (!list) return callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    const address = list.length > 1 ? list.shift()! : list[0];
    const family = address.includes(':') ? 6 : 4;
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
  return { lookup, asked };
}

const strict: OutboundPolicy = { allowHttp: true, allowPrivate: false };
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'sent',
    (e: unknown) => (e instanceof OutboundRefusedError ? e.refusal : String(e)),
  );

describe('outbound requests to store URLs', () => {
  let server: Server;
  let port: number;
  let hits: string[];
  let answer: (path: string) => { status: number; headers?: Record<string, string>; body?: string };

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const a = answer(req.url ?? '');
      res.writeHead(a.status, a.headers).end(a.body ?? '');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  beforeEach(() => {
    hits = [];
    answer = () => ({ status: 200, body: '{"ok":true}' });
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('tells public addresses from loopback, private, link-local, metadata, CGNAT and unique-local ones', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      expect([a, isPublicAddress(a)]).toEqual([a, true]);
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.100.100.200',
      '0.0.0.0',
      '::1',
      '::',
      'fd00:ec2::254',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a00:1',
      'not-an-ip',
    ])
      expect([a, isPublicAddress(a)]).toEqual([a, false]);
  });

  it('refuses 127.0.0.1, 169.254.169.254, 10.0.0.1 and [::1] without connecting', async () => {
    for (const host of ['127.0.0.1', '169.254.169.254', '10.0.0.1', '[::1]'])
      expect([
        host,
        await refusal(outboundGet(new URL(`http://${host}:${port}/x`), strict, { timeoutMs: 2000 })),
      ]).toEqual([host, 'ADDRESS']);
    expect(hits).toEqual([]);
  });

  it('refuses a name resolving to a private address, checked by the resolver the socket connects with', async () => {
    const dns = stubResolver({ 'shop.example': ['10.1.2.3'], 'local.example': ['127.0.0.1'] });
    const policy = { ...strict, lookup: dns.lookup };
    expect(await refusal(outboundGet(new URL(`http://shop.example:${port}/`), policy, { timeoutMs: 2000 }))).toBe(
      'ADDRESS',
    );
    expect(await refusal(outboundGet(new URL(`http://local.example:${port}/`), policy, { timeoutMs: 2000 }))).toBe(
      'ADDRESS',
    );
    expect(dns.asked).toEqual(['shop.example', 'local.example']);
    expect(hits).toEqual([]);
  });

  it('refuses localhost itself through the system resolver', async () => {
    expect(await refusal(outboundGet(new URL(`http://localhost:${port}/`), strict, { timeoutMs: 2000 }))).toBe(
      'ADDRESS',
    );
    expect(hits).toEqual([]);
  });

  it('refuses plain http unless allowed, and reaches loopback only when private addresses are allowed', async () => {
    const https = { allowHttp: false, allowPrivate: true };
    expect(await refusal(outboundGet(new URL(`http://127.0.0.1:${port}/`), https, { timeoutMs: 2000 }))).toBe('SCHEME');
    expect(await refusal(outboundGet(new URL(`ftp://127.0.0.1:${port}/`), https, { timeoutMs: 2000 }))).toBe('SCHEME');
    const dev = { allowHttp: true, allowPrivate: true };
    const res = await outboundGet(new URL(`http://127.0.0.1:${port}/ok`), dev, { timeoutMs: 2000 });
    expect(res).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(hits).toEqual(['/ok']);
  });

  it('never follows a redirect, to a private address or anywhere', async () => {
    const dev = { allowHttp: true, allowPrivate: true };
    answer = (path) =>
      path === '/start'
        ? { status: 302, headers: { Location: 'http://169.254.169.254/latest/meta-data/' } }
        : { status: 307, headers: { Location: `http://127.0.0.1:${port}/start` } };
    expect(await refusal(outboundGet(new URL(`http://127.0.0.1:${port}/start`), dev, { timeoutMs: 2000 }))).toBe(
      'REDIRECT',
    );
    expect(await refusal(outboundGet(new URL(`http://127.0.0.1:${port}/other`), dev, { timeoutMs: 2000 }))).toBe(
      'REDIRECT',
    );
    expect(hits).toEqual(['/start', '/other']);
  });

  it('caps the body it reads', async () => {
    answer = () => ({ status: 200, body: 'x'.repeat(5000) });
    const dev = { allowHttp: true, allowPrivate: true };
    expect(
      await refusal(outboundGet(new URL(`http://127.0.0.1:${port}/`), dev, { timeoutMs: 2000, maxBytes: 1000 })),
    ).toBe('TOO_LARGE');
  });
});
