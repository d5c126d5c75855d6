import type { AppConfig } from '@xero-sync/config';
import type {
  LeaseRepository,
  StoreSettingsRepository,
  XeroConnectionRecord,
  XeroConnectionRepository,
} from '@xero-sync/persistence';
import { strictFake, testEncryptionKey } from '@xero-sync/testing';
import { XeroConnectionService } from './xero-connection.service';
import { refreshMarginMs, XeroTokenVault } from './xero-token-vault';

/** The org look-up every delivery makes (status, short code): how often it reads the connections collection. */
describe('XeroConnectionService org look-up', () => {
  /** The service over a connection store holding `record` for every tenant; `reads` lists each read's tenants. */
  function service(record: XeroConnectionRecord) {
    const reads: string[][] = [];
    const connections = strictFake<XeroConnectionRepository>('connections', {
      findByTenants: async (tenantIds: string[]) => {
        reads.push(tenantIds);
        return new Map(tenantIds.map((t) => [t, record]));
      },
    });
    const svc = new XeroConnectionService(
      { SYNCER_INSTANCE_ID: 'unit' } as AppConfig,
      connections,
      strictFake<LeaseRepository>('leases', {}),
      strictFake<StoreSettingsRepository>('settings', {}),
      strictFake<XeroTokenVault>('vault', {}),
    );
    return { svc, reads };
  }

  const connection = (shortCode?: string): XeroConnectionRecord => ({
    id: 'c1',
    kind: 'oauth',
    status: 'connected',
    tenants: [{ tenantId: 't1', ...(shortCode ? { shortCode } : {}) }] as XeroConnectionRecord['tenants'],
  });

  it('a delivery of an org without a short code reads its connection once, not once per question', async () => {
    const { svc, reads } = service(connection());
    expect(await svc.tenantStatus('t1')).toBe('connected');
    expect(await svc.shortCode('t1')).toBeUndefined();
    expect(await svc.tenantStatus('t1')).toBe('connected');
    expect(reads).toEqual([['t1']]);
  });

  it('answers the recorded short code from the same read', async () => {
    const { svc, reads } = service(connection('!ab12C'));
    expect(await svc.tenantStatus('t1')).toBe('connected');
    expect(await svc.shortCode('t1')).toBe('!ab12C');
    expect(reads).toEqual([['t1']]);
  });

  it('orgs asked for in the same turn are read in one find, each once', async () => {
    const { svc, reads } = service(connection());
    const first = svc.tenantStatus('t1');
    await new Promise((r) => setImmediate(r));
    const more = ['t2', 't3', 't2'].map((t) => svc.tenantStatus(t));
    expect(await Promise.all([first, ...more])).toEqual(['connected', 'connected', 'connected', 'connected']);
    expect(reads).toEqual([['t1'], ['t2', 't3']]);
  });
});

/** Access tokens in hand: kept until their own end, never past it, and a disconnect found is remembered. */
describe('XeroConnectionService access tokens', () => {
  const vault = new XeroTokenVault({ TOKEN_ENCRYPTION_KEY: testEncryptionKey() } as AppConfig);

  /** A connected org whose stored access token was issued `ageMs` ago and lives `lifetimeMs`. */
  function record(ageMs: number, lifetimeMs: number, status: 'connected' | 'disconnected' = 'connected') {
    const issued = Date.now() - ageMs;
    return {
      id: 'c1',
      kind: 'oauth',
      status,
      tenants: [{ tenantId: 't1' }],
      accessTokenSealed: vault.seal('token-1', 'c1'),
      accessTokenExpiresAt: new Date(issued + lifetimeMs),
      lastRefreshAt: new Date(issued),
    } as XeroConnectionRecord;
  }

  function service(current: { record: XeroConnectionRecord }) {
    const reads: string[] = [];
    const connections = strictFake<XeroConnectionRepository>('connections', {
      findByTenant: async (tenantId: string) => {
        reads.push(`one:${tenantId}`);
        return current.record;
      },
      findByTenants: async (tenantIds: string[]) => {
        reads.push(`many:${tenantIds.join(',')}`);
        return new Map(tenantIds.map((t) => [t, current.record]));
      },
    });
    const svc = new XeroConnectionService(
      { SYNCER_INSTANCE_ID: 'unit' } as AppConfig,
      connections,
      strictFake<LeaseRepository>('leases', {}),
      strictFake<StoreSettingsRepository>('settings', {}),
      vault,
    );
    return { svc, reads };
  }

  afterEach(() => jest.restoreAllMocks());

  it('the margin before expiry is a minute, or a tenth of a shorter life', () => {
    expect(refreshMarginMs(30 * 60_000)).toBe(60_000);
    expect(refreshMarginMs(30_000)).toBe(3_000);
    // A stored 30-s token (the sandbox at 60×) 20 s old is still used; 28 s old it is not.
    expect(vault.usableToken(record(20_000, 30_000))).toBe('token-1');
    expect(vault.usableToken(record(28_000, 30_000))).toBeUndefined();
    // A 30-minute token whose issue time is unknown keeps the minute's margin.
    const unknownIssue = { ...record(0, 90_000), lastRefreshAt: undefined };
    expect(vault.usableToken(unknownIssue)).toBe('token-1');
    expect(vault.usableUntil(unknownIssue)).toBe(unknownIssue.accessTokenExpiresAt!.getTime() - 60_000);
  });

  it('a token in hand is used without a read until its usable end, then the stored connection is read again', async () => {
    const current = { record: record(0, 30_000) };
    const { svc, reads } = service(current);
    const start = Date.now();
    const now = jest.spyOn(Date, 'now').mockReturnValue(start);
    expect(await svc.accessToken('t1')).toBe('token-1');
    now.mockReturnValue(start + 26_000);
    expect(await svc.accessToken('t1')).toBe('token-1');
    expect(reads).toEqual(['one:t1']);
    // Past 27 s (30 s less its tenth) the token in hand is not used: the store holds a newer one by now.
    now.mockReturnValue(start + 27_500);
    current.record = { ...record(500, 30_000), accessTokenSealed: vault.seal('token-2', 'c1') };
    expect(await svc.accessToken('t1')).toBe('token-2');
    expect(reads).toEqual(['one:t1', 'one:t1']);
  });

  it('a connection found disconnected while fetching a token is not taken as connected any longer', async () => {
    const current = { record: record(0, 30 * 60_000) };
    const { svc, reads } = service(current);
    expect(await svc.tenantStatus('t1')).toBe('connected');
    current.record = record(0, 30 * 60_000, 'disconnected');
    // Within the look-up TTL the org still reads as connected from memory...
    expect(await svc.tenantStatus('t1')).toBe('connected');
    await expect(svc.accessToken('t1')).rejects.toMatchObject({ code: 'DISCONNECTED' });
    // ...but the token fetch saw the disconnect: the next delivery asks the store and defers before any call.
    expect(await svc.tenantStatus('t1')).toBe('disconnected');
    expect(reads).toEqual(['many:t1', 'one:t1', 'many:t1']);
  });
});
