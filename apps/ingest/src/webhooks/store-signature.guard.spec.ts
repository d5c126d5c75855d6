import { readSignatureHeaders } from './store-signature.guard';

describe('store signature headers', () => {
  const now = 1_800_000_000_000;
  const sig = `sha256=${'ab'.repeat(32)}`;

  it('accepts fresh, well-formed headers', () => {
    expect(
      readSignatureHeaders(
        {
          'x-store-timestamp': String(now / 1000 - 299),
          'x-store-signature': sig.toUpperCase().replace('SHA256', 'sha256'),
        },
        now,
      ),
    ).toEqual({
      timestamp: String(now / 1000 - 299),
      signatureHex: 'ab'.repeat(32),
    });
  });

  it.each([
    [{}, 'SIGNATURE_MISSING'],
    [{ 'x-store-timestamp': '1', 'x-store-signature': '' }, 'SIGNATURE_MISSING'],
    [{ 'x-store-timestamp': 'yesterday', 'x-store-signature': sig }, 'SIGNATURE_INVALID'],
    [{ 'x-store-timestamp': String(now / 1000 - 301), 'x-store-signature': sig }, 'SIGNATURE_STALE'],
    [{ 'x-store-timestamp': String(now / 1000 + 301), 'x-store-signature': sig }, 'SIGNATURE_STALE'],
    [{ 'x-store-timestamp': String(now / 1000), 'x-store-signature': 'ab'.repeat(32) }, 'SIGNATURE_INVALID'],
    [{ 'x-store-timestamp': String(now / 1000), 'x-store-signature': ['a', 'b'] }, 'SIGNATURE_MISSING'],
  ])('refuses %j with %s', (headers, code) => {
    expect(() => readSignatureHeaders(headers, now)).toThrow(expect.objectContaining({ code }));
  });
});
