import { commandLoggingRepository } from '@xero-sync/testing';
import { XeroConnectionRepository } from './xero-connection.repository';
import { XeroConnection, XeroConnectionSchema } from './xero-connection.schema';

/** Connections by tenant on FerretDB: several tenants in one read, each answered as a read of its own would. */
describe('XeroConnectionRepository.findByTenants on FerretDB', () => {
  const db = commandLoggingRepository(
    XeroConnection.name,
    XeroConnectionSchema,
    (m) => new XeroConnectionRepository(m),
  );

  beforeAll(async () => {
    const tenant = (tenantId: string) => ({ tenantId, tenantName: tenantId });
    // t1 reached by an old disconnected and a newer connected connection; t2 by one that reaches t3 too; t4 only
    // by a connection still being authorized (not a connection yet).
    await db.repo.create({ id: 'old', kind: 'oauth', status: 'disconnected', tenants: [tenant('t1')] });
    await db.repo.create({ id: 'new', kind: 'oauth', status: 'connected', tenants: [tenant('t1')] });
    await db.repo.create({ id: 'both', kind: 'custom', status: 'connected', tenants: [tenant('t2'), tenant('t3')] });
    await db.repo.create({ id: 'auth', kind: 'oauth', status: 'authorizing', tenants: [tenant('t4')] });
  });

  it('answers every tenant asked for in one find: the connected one first, none for an authorizing one', async () => {
    db.commands.length = 0;
    const found = await db.repo.findByTenants(['t1', 't2', 't3', 't4', 't5']);
    expect(db.commands).toEqual(['find']);
    expect(Object.fromEntries([...found].map(([t, c]) => [t, c.id]))).toEqual({ t1: 'new', t2: 'both', t3: 'both' });
    expect((await db.repo.findByTenant('t1'))?.id).toBe('new');
    expect(await db.repo.findByTenant('t4')).toBeNull();
  });
});
