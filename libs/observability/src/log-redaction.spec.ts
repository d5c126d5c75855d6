import { REDACTED, redactDeep, redactQuery, redactText } from './log-redaction';

describe('log redaction', () => {
  it('redacts secret-named properties at any depth, leaving the rest', () => {
    const line = {
      msg: 'refreshed',
      tenantId: 't-1',
      connection: { tokens: { access_token: 'at-1', refresh_token: 'rt-1' }, status: 'connected' },
      stores: [{ storeId: 's-1', webhookSecret: 'whs-1', magentoToken: 'mt-1' }],
      deep: { a: { b: { c: { d: { password: 'pw', apiKey: 'k', TOKEN_ENCRYPTION_KEY: 'ek', key: 'xsk_1' } } } } },
      headers: { authorization: 'Bearer x', cookie: 'a=b', 'set-cookie': ['xs=1'], 'x-store-signature': 'sig' },
    };
    const out = redactDeep(line);
    expect(out).toEqual({
      msg: 'refreshed',
      tenantId: 't-1',
      connection: { tokens: REDACTED, status: 'connected' },
      stores: [{ storeId: 's-1', webhookSecret: REDACTED, magentoToken: REDACTED }],
      deep: {
        a: { b: { c: { d: { password: REDACTED, apiKey: REDACTED, TOKEN_ENCRYPTION_KEY: REDACTED, key: REDACTED } } } },
      },
      headers: { authorization: REDACTED, cookie: REDACTED, 'set-cookie': REDACTED, 'x-store-signature': REDACTED },
    });
    expect(JSON.stringify(line)).toContain('rt-1'); // the input is not modified
  });

  it('redacts OAuth code and state and secret-named query values in URLs and messages', () => {
    expect(redactText('/connections/callback?code=abc123&state=st-9&scope=openid')).toBe(
      `/connections/callback?code=${REDACTED}&state=${REDACTED}&scope=openid`,
    );
    expect(redactText('GET /x?page=2&access_token=zz&api_key=kk failed')).toBe(
      `GET /x?page=2&access_token=${REDACTED}&api_key=${REDACTED} failed`,
    );
    expect(redactText('sent Authorization: Bearer eyJhbGciOi.abc-def_1')).toBe(
      `sent Authorization: Bearer ${REDACTED}`,
    );
    expect(redactText('no secrets here')).toBe('no secrets here');
  });

  it('redacts OAuth and secret-named values of a parsed query string', () => {
    expect(redactQuery({ code: 'c', state: 's', access_token: 't', page: '2' })).toEqual({
      code: REDACTED,
      state: REDACTED,
      access_token: REDACTED,
      page: '2',
    });
  });

  it('redacts inside strings of nested values, and survives cycles and non-plain objects', () => {
    const cyclic: Record<string, unknown> = { url: '/cb?code=c1' };
    cyclic.self = cyclic;
    const when = new Date(0);
    const shared = { n: 1 };
    const out = redactDeep({ cyclic, when, pair: [shared, shared] });
    expect(out.cyclic).toEqual({ url: `/cb?code=${REDACTED}`, self: '[cut]' });
    expect(out.when).toBe(when);
    expect(out.pair).toEqual([{ n: 1 }, { n: 1 }]);
  });
});
