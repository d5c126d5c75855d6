import mongoose, { Connection } from 'mongoose';
import { testMongoUri } from '@xero-sync/testing';
import { XeroConnectionRepository } from './xero-connection.repository';
import { XeroConnection, XeroConnectionSchema } from './xero-connection.schema';

/** Connections by tenant on FerretDB: several tenants in one read, each answered as a read of its own would. */
describe('XeroConnectionRepository.findByTenants on FerretDB', () => {
  const uri = testMongoUri();
  let conn: Connection;
  let repo: XeroConnectionRepository;
  const finds: unknown[] = [];

  beforeAll(async () => {
    conn = await mongoose.createConnection(uri, { monitorCommands: true }).asPromise();
    conn.getClient().on('commandStarted', (e) => e.commandName === 'find' && finds.push(e.command.filter));
    const model = conn.model(XeroConnection.name, XeroConnectionSchema);
    await model.init(); // its indexes built before commands are counted
    repo = new XeroConnectionRepository(model);
    const tenant = (tenantId: string) => ({ tenantId, tenantName: tenantId });
    // t1 reached by an old disconnected and a newer connected connection; t2 by one that reaches t3 too; t4 only
    // by a connection still being authorized (not a connection yet).
    await repo.create({ id: 'old', kind: 'oauth', status: 'disconnected', tenants: [tenant('t1')] });
    await repo.create({ id: 'new', kind: 'oauth', status: 'connected', tenants: [tenant('t1')] });
    await repo.create({ id: 'both', kind: 'custom', status: 'connected', tenants: [tenant('t2'), tenant('t3')] });
    await repo.create({ id: 'auth', kind: 'oauth', status: 'authorizing', tenants: [tenant('t4')] });
  });
  afterAll(async () => {
    await conn.dropDatabase();
    await conn.close();
  });

  it('answers every tenant asked for in one find: the connected one first, none for an authorizing one', async () => {
    finds.length = 0;
    const found = await repo.findByTenants(['t1', 't2', 't3', 't4', 't5']);
    expect(finds).toHaveLength(1);
    expect(Object.fromEntries([...found].map(([t, c]) => [t, c.id]))).toEqual({ t1: 'new', t2: 'both', t3: 'both' });
    expect((await repo.findByTenant('t1'))?.id).toBe('new');
    expect(await repo.findByTenant('t4')).toBeNull();
  });
});
