import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { magentoGet, MagentoUnansweredError, magentoUrl } from './magento-rest';

const DEV = { allowHttp: true, allowPrivate: true };

describe('magentoGet (a GET of a store-given Magento URL)', () => {
  it('sends the integration token and returns any HTTP answer as is', async () => {
    const seen: (string | undefined)[] = [];
    const srv = createServer((req, res) => {
      seen.push(req.headers.authorization, req.headers.accept);
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"busy"}');
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    try {
      const url = magentoUrl(`http://127.0.0.1:${(srv.address() as AddressInfo).port}//`, '/rest/V1/orders');
      expect(url.pathname).toBe('/rest/V1/orders');
      const res = await magentoGet('tok-1', url, DEV);
      expect(res.status).toBe(503);
      expect(seen).toEqual(['Bearer tok-1', 'application/json']);
    } finally {
      await new Promise((resolve) => srv.close(resolve));
    }
  });

  it('names a refusal by the outbound policy as final and a network failure as worth retrying', async () => {
    const refused = await magentoGet('t', new URL('http://127.0.0.1:9/rest/V1/orders'), {
      allowHttp: false,
      allowPrivate: false,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MagentoUnansweredError);
    expect(refused).toMatchObject({ refused: true, message: expect.stringMatching(/http URLs are refused/) });
    // Nothing listens on the discard port: connection refused.
    const down = await magentoGet('t', new URL('http://127.0.0.1:9/rest/V1/orders'), DEV).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(MagentoUnansweredError);
    expect(down).toMatchObject({ refused: false, status: 0 });
  });
});
