import type { AppConfig } from '@xero-sync/config';
import type { StoreRepository, StoreWebhookSecrets } from '@xero-sync/persistence';
import { signedRecordHeaders } from '@xero-sync/security';
import { EventSignatureQueries, PREVIOUS_SECRET_SKEW_S } from './event-signature.queries';

const SIGNED_AT_S = 1_700_000_000;
/** Store `r` was rotated: its replaced secret is accepted for what was signed up to SIGNED_AT_S + 60. */
const SECRETS: Record<string, StoreWebhookSecrets> = {
  a: { current: 'secret-of-a' },
  b: { current: 'secret-of-b' },
  r: {
    current: 'new-secret-of-r',
    previous: { secret: 'old-secret-of-r', until: new Date((SIGNED_AT_S + 60) * 1000) },
  },
};

function queries(acceptUnsigned = false): { q: EventSignatureQueries; lookups: string[] } {
  const lookups: string[] = [];
  const stores = {
    webhookSecretsOf: async (storeId: string) => {
      lookups.push(storeId);
      return SECRETS[storeId] ?? null;
    },
  } as unknown as StoreRepository;
  const config = { SYNCER_ACCEPT_UNSIGNED_EVENTS: acceptUnsigned } as AppConfig;
  return { q: new EventSignatureQueries(stores, config), lookups };
}

const value = Buffer.from('{"storeId":"a","entity":"order"}');
const signedBy = (secret: string, at = SIGNED_AT_S) => signedRecordHeaders(secret, at, value);

describe('EventSignatureQueries', () => {
  it.each(['webhook', 'backfill', 'manual', 'producer'])('takes a %s event signed by its store', async (origin) => {
    const { q } = queries();
    expect(await q.refusalOf({ storeId: 'a', origin }, value, signedBy('secret-of-a'))).toBeUndefined();
  });

  it.each(['webhook', 'producer'])('refuses an unsigned %s event, naming how to fix it', async (origin) => {
    const { q, lookups } = queries();
    const refusal = await q.refusalOf({ storeId: 'a', origin }, value, {});
    expect(refusal?.[0].message).toMatch(new RegExp(`^unsigned ${origin} event: .*Sync Now of the record`));
    expect(lookups).toEqual([]);
  });

  it("refuses an event signed with another store's secret, or over other bytes", async () => {
    const { q } = queries();
    expect((await q.refusalOf({ storeId: 'a', origin: 'webhook' }, value, signedBy('secret-of-b')))?.[0].message).toBe(
      'not signed with the webhook secret of store "a"',
    );
    const other = Buffer.from('{"storeId":"a","entity":"order","x":1}');
    expect(await q.refusalOf({ storeId: 'a', origin: 'webhook' }, other, signedBy('secret-of-a'))).toHaveLength(1);
  });

  it('after a rotation takes events the replaced secret signed up to its grace (+ skew), and no later ones', async () => {
    const { q } = queries();
    const event = { storeId: 'r', origin: 'webhook' };
    expect(await q.refusalOf(event, value, signedBy('new-secret-of-r'))).toBeUndefined();
    // Signed before the rotation, still in Kafka (or replayed): verifies.
    expect(await q.refusalOf(event, value, signedBy('old-secret-of-r', SIGNED_AT_S - 86_400))).toBeUndefined();
    const lastCovered = SIGNED_AT_S + 60 + PREVIOUS_SECRET_SKEW_S;
    expect(await q.refusalOf(event, value, signedBy('old-secret-of-r', lastCovered))).toBeUndefined();
    expect((await q.refusalOf(event, value, signedBy('old-secret-of-r', lastCovered + 1)))?.[0].message).toBe(
      'not signed with the webhook secret of store "r"',
    );
    // A store that was never rotated has no replaced secret to fall back on.
    expect(await q.refusalOf({ storeId: 'a', origin: 'webhook' }, value, signedBy('old-secret-of-r'))).toHaveLength(1);
  });

  it('refuses an event of a store that is not registered', async () => {
    const { q } = queries();
    expect((await q.refusalOf({ storeId: 'zz', origin: 'webhook' }, value, signedBy('x')))?.[0].path).toBe('storeId');
  });

  it('in the upgrade window takes unsigned events unless they claim origin producer; wrong signatures stay refused', async () => {
    const { q } = queries(true);
    expect(await q.refusalOf({ storeId: 'a', origin: 'webhook' }, value, {})).toBeUndefined();
    expect(await q.refusalOf({ storeId: 'a', origin: 'producer' }, value, {})).toHaveLength(1);
    expect(await q.refusalOf({ storeId: 'a', origin: 'webhook' }, value, signedBy('secret-of-b'))).toHaveLength(1);
  });

  it('looks a store secret up once for many events', async () => {
    const { q, lookups } = queries();
    for (let i = 0; i < 50; i++) await q.refusalOf({ storeId: 'a', origin: 'webhook' }, value, signedBy('secret-of-a'));
    expect(lookups).toEqual(['a']);
  });
});
