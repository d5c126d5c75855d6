import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src';
import { Control, Harness, salesInvoice, startHarness, tokenRequest, xeroClientFor, xeroError } from './harness';

describe('Injected faults', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  afterEach(() => h.control.del('/faults'));

  it('status faults fail N calls, scoped by path, and then stop', async () => {
    await h.control.post('/faults', { kind: 'status', status: 503, count: 2, pathPrefix: '/Invoices' });
    const contacts = await h.api.getContacts(h.tenantId);
    expect(contacts.response.status).toBe(200);
    expect((await xeroError(h.api.getInvoices(h.tenantId))).status).toBe(503);
    const second = await xeroError(h.api.getInvoices(h.tenantId));
    expect(second.status).toBe(503);
    expect(second.headers['x-daylimit-remaining']).toBeDefined();
    expect((await h.api.getInvoices(h.tenantId)).response.status).toBe(200);
    expect((await h.control.counters(h.tenantId)).byStatus['503']).toBe(2);
  });

  it('status faults can last a duration instead of a count', async () => {
    await h.control.post('/faults', { kind: 'status', status: 500, durationMs: 150 });
    expect((await xeroError(h.api.getItems(h.tenantId))).status).toBe(500);
    await new Promise((r) => setTimeout(r, 200));
    expect((await h.api.getItems(h.tenantId)).response.status).toBe(200);
  });

  it('drop: the connection is cut and nothing is applied', async () => {
    await h.control.post('/faults', { kind: 'drop', count: 1, tenantId: h.tenantId });
    const fail = await xeroError(h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('F-1')] }));
    expect(fail.status || 0).toBe(0); // no HTTP answer at all
    expect((await h.control.dump(h.tenantId)).invoices.some((i: any) => i.InvoiceNumber === 'F-1')).toBe(false);
  });

  it('drop-after-commit: the write is applied, the client hears nothing; a retry with the same key replays', async () => {
    await h.control.post('/faults', { kind: 'drop-after-commit', count: 1 });
    const fail = await xeroError(
      h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('F-2')] }, false, undefined, 'key-F-2'),
    );
    expect(fail.status || 0).toBe(0); // no HTTP answer at all
    const stored = (await h.control.dump(h.tenantId)).invoices.filter((i: any) => i.InvoiceNumber === 'F-2');
    expect(stored).toHaveLength(1);
    const retry = await h.api.createInvoices(
      h.tenantId,
      { invoices: [salesInvoice('F-2')] },
      false,
      undefined,
      'key-F-2',
    );
    expect(retry.body.invoices![0]).toMatchObject({ invoiceID: stored[0].InvoiceID, statusAttributeString: 'OK' });
    expect((await h.control.dump(h.tenantId)).invoices.filter((i: any) => i.InvoiceNumber === 'F-2')).toHaveLength(1);
    const counters = await h.control.counters(h.tenantId);
    expect(counters.idempotentReplays).toBe(1);
    expect(counters.byStatus.dropped).toBe(2);
  });

  it('rate-limit storms answer 429 without spending the budget', async () => {
    const before = (await h.api.getOrganisations(h.tenantId)).response.headers['x-minlimit-remaining'];
    await h.control.post('/faults', { kind: 'rate-limit', count: 3, problem: 'day' });
    for (let i = 0; i < 3; i++) {
      const fail = await xeroError(h.api.getOrganisations(h.tenantId));
      expect(fail.status).toBe(429);
      expect(fail.headers['x-rate-limit-problem']).toBe('day');
      expect(fail.headers['retry-after']).toBeDefined();
    }
    const after = await h.api.getOrganisations(h.tenantId);
    expect(Number(after.response.headers['x-minlimit-remaining'])).toBe(Number(before) - 1);
  });

  it('faults can target the token endpoint explicitly', async () => {
    await h.control.post('/custom-connections', { clientId: 'fault-app', clientSecret: 's', tenantId: h.tenantId });
    await h.control.post('/faults', { kind: 'status', status: 503, count: 1, pathPrefix: '/connect/token' });
    expect(
      (await tokenRequest(h.url, { id: 'fault-app', secret: 's' }, { grant_type: 'client_credentials' })).status,
    ).toBe(503);
    expect(
      (await tokenRequest(h.url, { id: 'fault-app', secret: 's' }, { grant_type: 'client_credentials' })).status,
    ).toBe(200);
  });
});

describe('Snapshots and reset', () => {
  it('keeps orgs, documents and tokens across a restart from the same snapshot file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xero-sandbox-'));
    const snapshotPath = join(dir, 'state.json');
    try {
      const first = await startSandbox({ port: 0, snapshotPath });
      const c1 = new Control(first.url);
      const org = await c1.post('/orgs', { name: 'Persistent Ltd' });
      await c1.post('/custom-connections', { clientId: 'p', clientSecret: 's', tenantId: org.tenantId });
      const token = (await tokenRequest(first.url, { id: 'p', secret: 's' }, { grant_type: 'client_credentials' })).body
        .access_token;
      await xeroClientFor(first.url, token).accountingApi.createInvoices(org.tenantId, {
        invoices: [salesInvoice('S-1')],
      });
      await first.close();

      const second = await startSandbox({ port: 0, snapshotPath });
      try {
        const api = xeroClientFor(second.url, token).accountingApi;
        const inv = await api.getInvoice(org.tenantId, 'S-1');
        expect(inv.body.invoices![0].total).toBe(23);
        // Numbers stay reserved after a restart too.
        expect((await xeroError(api.createInvoices(org.tenantId, { invoices: [salesInvoice('S-1')] }))).status).toBe(
          400,
        );
        const c2 = new Control(second.url);
        await c2.post('/reset');
        expect(await c2.get('/orgs')).toEqual([]);
        expect((await xeroError(api.getInvoice(org.tenantId, 'S-1'))).status).toBe(401);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
