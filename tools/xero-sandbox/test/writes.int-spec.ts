import { Harness, salesInvoice, startHarness, xeroError } from './harness';

describe('Batches, idempotency, request size and spec validation', () => {
  let h: Harness;
  beforeAll(async () => {
    // A 600× clock makes the 6-minute idempotency window 600 ms of real time.
    h = await startHarness({ timeScale: 600 });
  });
  afterAll(() => h.close());

  it('summarizeErrors=false applies the valid elements and reports each element', async () => {
    const res = await h.api.createInvoices(
      h.tenantId,
      { invoices: [salesInvoice('B-1'), salesInvoice('B-2', { currencyCode: 'GBP' }), salesInvoice('B-3')] },
      false,
    );
    expect(res.response.status).toBe(200);
    expect(res.body.invoices!.map((i) => [i.statusAttributeString, i.hasErrors ?? false])).toEqual([
      ['OK', false],
      ['ERROR', true],
      ['OK', false],
    ]);
    expect(res.body.invoices![1].validationErrors![0].message).toBe('Organisation is not subscribed to currency GBP');
    const numbers = (await h.control.dump(h.tenantId)).invoices.map((i: any) => i.InvoiceNumber);
    expect(numbers).toEqual(['B-1', 'B-3']);
  });

  it('summarised (the default) answers 400 ValidationException and applies nothing', async () => {
    const fail = await xeroError(
      h.api.createInvoices(h.tenantId, {
        invoices: [salesInvoice('B-4', { contact: { name: 'Brand New Contact' } }), salesInvoice('B-1')],
      }),
    );
    expect(fail.status).toBe(400);
    expect(fail.body).toMatchObject({
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
    });
    expect(fail.body.Elements).toHaveLength(1);
    expect(fail.body.Elements[0]).toMatchObject({
      InvoiceNumber: 'B-1',
      ValidationErrors: [{ Message: 'Invoice # must be unique.' }],
    });
    const dump = await h.control.dump(h.tenantId);
    expect(dump.invoices.map((i: any) => i.InvoiceNumber)).toEqual(['B-1', 'B-3']);
    // Not even the contact the first invoice would have created survives.
    expect(dump.contacts.map((c: any) => c.Name)).toEqual(['Walk-in Customer']);
  });

  it('accepts more than 50 elements and counts them; refuses bodies over 3.5 MB with 413', async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ name: `Bulk ${i}`, contactNumber: `BULK-${i}` }));
    const res = await h.api.createContacts(h.tenantId, { contacts: many }, false);
    expect(res.body.contacts!.filter((c) => c.statusAttributeString === 'OK')).toHaveLength(60);
    expect((await h.control.counters(h.tenantId)).elements.Contacts).toBe(60);

    const huge = { Contacts: [{ Name: 'Big', Website: 'x'.repeat(3.6 * 1024 * 1024) }] };
    const big = await fetch(`${h.url}/api.xro/2.0/Contacts`, {
      method: 'PUT',
      headers: h.headers,
      body: JSON.stringify(huge),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ Status: 413, Title: 'Request Entity Too Large' });
    expect((await h.control.dump(h.tenantId)).contacts.some((c: any) => c.Name === 'Big')).toBe(false);
  });

  it('Idempotency-Key: a repeat returns the first answer without a second effect and is counted', async () => {
    const first = await h.api.createInvoices(
      h.tenantId,
      { invoices: [salesInvoice('I-1')] },
      false,
      undefined,
      'key-I-1',
    );
    const again = await h.api.createInvoices(
      h.tenantId,
      { invoices: [salesInvoice('I-1')] },
      false,
      undefined,
      'key-I-1',
    );
    expect(again.response.status).toBe(200);
    expect(again.response.data).toEqual(first.response.data);
    expect(again.body.invoices![0].statusAttributeString).toBe('OK');
    const stored = (await h.control.dump(h.tenantId)).invoices.filter((i: any) => i.InvoiceNumber === 'I-1');
    expect(stored).toHaveLength(1);
    expect((await h.control.counters(h.tenantId)).idempotentReplays).toBe(1);
  });

  it('Idempotency-Key reused with a different body is a 400; keys are forgotten after the window', async () => {
    const conflict = await xeroError(
      h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('I-2')] }, false, undefined, 'key-I-1'),
    );
    expect(conflict.status).toBe(400);
    expect(conflict.body.Message).toMatch(/already used with a different request/);
    expect((await h.control.dump(h.tenantId)).invoices.some((i: any) => i.InvoiceNumber === 'I-2')).toBe(false);

    await new Promise((r) => setTimeout(r, 700)); // > 6 Xero minutes at 600×
    const fresh = await h.api.createInvoices(
      h.tenantId,
      { invoices: [salesInvoice('I-1')] },
      false,
      undefined,
      'key-I-1',
    );
    // Run afresh this time, so the business key catches the duplicate.
    expect(fresh.body.invoices![0].validationErrors![0].message).toBe('Invoice # must be unique.');
    const tooLong = await xeroError(
      h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('I-3')] }, false, undefined, 'k'.repeat(129)),
    );
    expect(tooLong.status).toBe(400);
  });

  it('concurrent requests with the same key produce one effect', async () => {
    await h.control.post('/faults', { kind: 'latency', ms: 150, count: 1, tenantId: h.tenantId });
    const send = () =>
      h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('I-4')] }, false, undefined, 'key-I-4');
    const [a, b] = await Promise.all([send(), send()]);
    expect(a.body.invoices![0].invoiceID).toBe(b.body.invoices![0].invoiceID);
    expect(a.body.invoices![0].statusAttributeString).toBe('OK');
    expect((await h.control.dump(h.tenantId)).invoices.filter((i: any) => i.InvoiceNumber === 'I-4')).toHaveLength(1);
  });

  it('rejects bodies that break the OpenAPI spec, naming the field', async () => {
    const body = {
      Invoices: [
        {
          Type: 'ACCREC',
          Contact: { Name: 'X' },
          LineItems: [{ Description: 'x', Quantity: 'three', UnitAmount: 1 }],
          Status: 'OPEN',
        },
      ],
    };
    const res = await fetch(`${h.url}/api.xro/2.0/Invoices`, {
      method: 'PUT',
      headers: h.headers,
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    const json: any = await res.json();
    expect(json.Type).toBe('ValidationException');
    const messages = json.Elements[0].ValidationErrors.map((v: any) => v.Message);
    expect(messages).toContain('Invoices[0].LineItems[0].Quantity: must be number');
    expect(messages.find((m: string) => m.startsWith('Invoices[0].Status: must be one of'))).toContain('AUTHORISED');
    const alloc = await fetch(`${h.url}/api.xro/2.0/CreditNotes/00000000-0000-4000-8000-000000000000/Allocations`, {
      method: 'PUT',
      headers: h.headers,
      body: JSON.stringify({ Allocations: [{ Amount: 1 }] }),
    });
    const allocJson: any = await alloc.json();
    expect(allocJson.Elements[0].ValidationErrors.map((v: any) => v.Message)).toEqual([
      'Allocations[0].Invoice: is required',
      'Allocations[0].Date: is required',
    ]);
    const malformed = await fetch(`${h.url}/api.xro/2.0/Contacts`, {
      method: 'PUT',
      headers: h.headers,
      body: '{"Contacts": [',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ ErrorNumber: 14, Type: 'PostDataInvalidException' });
  });

  it('accepts what xero-node sends when a fetched invoice (with Date objects) is posted back', async () => {
    const fetched = (await h.api.getInvoice(h.tenantId, 'B-3')).body.invoices![0];
    expect(fetched.updatedDateUTC).toBeInstanceOf(Date);
    fetched.reference = 'round trip';
    const res = await h.api.updateInvoice(h.tenantId, fetched.invoiceID!, { invoices: [fetched] });
    expect(res.body.invoices![0]).toMatchObject({
      reference: 'round trip',
      total: fetched.total,
      invoiceNumber: 'B-3',
    });
  });
});
