import { startStoreSignature } from '@xero-sync/security';
import type { StoreSecretsQueries } from '../stores/store-secrets.queries';
import { readSignatureHeaders, verifyStoreSignature } from './store-signature.guard';

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

describe('store signature check', () => {
  const body = Buffer.from('{"entity":"customer"}');
  const secrets = (accepted: string[] | null) =>
    ({ acceptedSecretsOf: async () => accepted }) as unknown as StoreSecretsQueries;
  const signed = (secret: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const hex = startStoreSignature(secret, timestamp).update(body).digest('hex');
    return { 'x-store-timestamp': timestamp, 'x-store-signature': `sha256=${hex}` };
  };

  it('accepts a request signed with any secret the store accepts now (the current one, the replaced one in its grace)', async () => {
    await expect(verifyStoreSignature(secrets(['new', 'old']), 's1', signed('old'), body)).resolves.toBeUndefined();
    await expect(verifyStoreSignature(secrets(['new', 'old']), 's1', signed('new'), body)).resolves.toBeUndefined();
  });

  it('refuses a request signed with a secret the store no longer accepts, and one of an unknown store', async () => {
    await expect(verifyStoreSignature(secrets(['new']), 's1', signed('old'), body)).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    await expect(verifyStoreSignature(secrets(null), 's1', signed('new'), body)).rejects.toMatchObject({
      code: 'STORE_NOT_FOUND',
    });
  });
});
