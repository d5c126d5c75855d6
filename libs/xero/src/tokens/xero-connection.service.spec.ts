import type { AppConfig } from '@xero-sync/config';
import type {
  LeaseRepository,
  StoreSettingsRepository,
  XeroConnectionRecord,
  XeroConnectionRepository,
} from '@xero-sync/persistence';
import { strictFake } from '@xero-sync/testing';
import { XeroConnectionService } from './xero-connection.service';
import type { XeroTokenVault } from './xero-token-vault';

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
