import { expectSpecResponse, Harness, salesInvoice, startHarness, xeroError } from './harness';

describe('Invoices through xero-node', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.api.createItems(h.tenantId, {
      items: [
        {
          code: 'MUG',
          name: 'Mug',
          description: 'A mug',
          salesDetails: { unitPrice: 9.99, accountCode: '200', taxType: 'OUTPUT2' },
        },
      ],
    });
  });
  afterAll(() => h.close());

  it('computes Xero totals: per-line tax rounded to 2 dp, Exclusive and Inclusive, discounts, item defaults', async () => {
    const res = await h.api.createInvoices(h.tenantId, {
      invoices: [
        salesInvoice('T-1', {
          lineItems: [
            { itemCode: 'MUG', quantity: 3 }, // 29.97, tax 4.4955 → 4.50
            { description: 'Shipping', quantity: 1, unitAmount: 5, accountCode: '210', discountRate: 10 }, // 4.50, tax 0.675 → 0.68
          ],
        }),
        salesInvoice('T-2', {
          lineAmountTypes: 'Inclusive',
          lineItems: [
            { description: 'Gift card', quantity: 1, unitAmount: 10, accountCode: '260', taxType: 'OUTPUT2' },
          ],
        }),
      ],
    });
    await expectSpecResponse('PUT /Invoices', res.response.data);
    const [t1, t2] = res.body.invoices!;
    expect(t1.lineItems!.map((l) => [l.lineAmount, l.taxAmount, l.description])).toEqual([
      [29.97, 4.5, 'A mug'],
      [4.5, 0.68, 'Shipping'],
    ]);
    expect(t1).toMatchObject({ subTotal: 34.47, totalTax: 5.18, total: 39.65, amountDue: 39.65, totalDiscount: 0.5 });
    expect(t2).toMatchObject({ subTotal: 8.7, totalTax: 1.3, total: 10 });
    const stored = (await h.control.dump(h.tenantId)).invoices.find((i: any) => i.InvoiceNumber === 'T-1');
    expect(stored).toMatchObject({ Total: 39.65, Status: 'AUTHORISED', DateString: '2026-01-15T00:00:00' });
    expect(stored.Date).toBe(`/Date(${Date.UTC(2026, 0, 15)}+0000)/`);
  });

  it('keeps 4-dp unit amounts only with unitdp=4', async () => {
    const line = { description: 'Bolt', quantity: 3, unitAmount: 1.3333, accountCode: '200', taxType: 'NONE' };
    const two = await h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('T-3', { lineItems: [line] })] });
    expect(two.body.invoices![0].lineItems![0]).toMatchObject({ unitAmount: 1.33, lineAmount: 3.99 });
    const four = await h.api.createInvoices(
      h.tenantId,
      { invoices: [salesInvoice('T-4', { lineItems: [line] })] },
      undefined,
      4,
    );
    expect(four.body.invoices![0].lineItems![0]).toMatchObject({ unitAmount: 1.3333, lineAmount: 4 });
  });

  it('gets an invoice by id and by number, and filters lists', async () => {
    const byNumber = await h.api.getInvoice(h.tenantId, 'T-1');
    const id = byNumber.body.invoices![0].invoiceID!;
    const byId = await h.api.getInvoice(h.tenantId, id);
    expect(byId.body.invoices![0].invoiceNumber).toBe('T-1');
    await expectSpecResponse('GET /Invoices/{InvoiceID}', byId.response.data);
    const where = await h.api.getInvoices(h.tenantId, undefined, 'InvoiceNumber=="T-2" AND Status=="AUTHORISED"');
    expect(where.body.invoices!.map((i) => i.invoiceNumber)).toEqual(['T-2']);
    const numbers = await h.api.getInvoices(h.tenantId, undefined, undefined, undefined, undefined, ['T-1', 'T-3']);
    expect(numbers.body.invoices!.map((i) => i.invoiceNumber).sort()).toEqual(['T-1', 'T-3']);
    const ids = await h.api.getInvoices(h.tenantId, undefined, undefined, undefined, [id]);
    expect(ids.body.invoices!.map((i) => i.invoiceID)).toEqual([id]);
    const paged = await h.api.getInvoices(
      h.tenantId,
      undefined,
      undefined,
      'InvoiceNumber ASC',
      undefined,
      undefined,
      undefined,
      ['AUTHORISED'],
      1,
      undefined,
      undefined,
      undefined,
      undefined,
      3,
    );
    expect(paged.body.pagination).toMatchObject({ page: 1, pageSize: 3, itemCount: 4, pageCount: 2 });
    expect(paged.body.invoices![0].lineItems!.length).toBeGreaterThan(0);
    await expectSpecResponse('GET /Invoices', paged.response.data);
    const unpaged = await h.api.getInvoices(h.tenantId);
    expect(unpaged.body.invoices![0].lineItems ?? []).toEqual([]);
  });

  it('honours If-Modified-Since', async () => {
    const before = new Date(Date.now() - 1000);
    await new Promise((r) => setTimeout(r, 1100));
    const since = new Date();
    await h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('T-5')] });
    const recent = await h.api.getInvoices(h.tenantId, since);
    expect(recent.body.invoices!.map((i) => i.invoiceNumber)).toEqual(['T-5']);
    const all = await h.api.getInvoices(h.tenantId, before);
    expect(all.body.invoices!.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses a used InvoiceNumber on PUT, even after the first invoice was deleted', async () => {
    const dup = await h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('T-1')] }, false);
    expect(dup.body.invoices![0]).toMatchObject({ hasErrors: true, statusAttributeString: 'ERROR' });
    expect(dup.body.invoices![0].validationErrors![0].message).toBe('Invoice # must be unique.');

    const draft = await h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('T-DEL', { status: 'DRAFT' })] });
    const del = await h.api.updateInvoice(h.tenantId, draft.body.invoices![0].invoiceID!, {
      invoices: [{ status: 'DELETED' as any }],
    });
    expect(del.body.invoices![0].status).toBe('DELETED');
    const reuse = await xeroError(h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('T-DEL')] }));
    expect(reuse.status).toBe(400);
    expect(reuse.body.Elements[0].ValidationErrors[0].Message).toBe('Invoice # must be unique.');
    const stored = (await h.control.dump(h.tenantId)).invoices.filter((i: any) => i.InvoiceNumber === 'T-DEL');
    expect(stored.map((i: any) => i.Status)).toEqual(['DELETED']);
  });

  it('POST /Invoices updates the invoice matched by InvoiceNumber rather than creating another', async () => {
    const res = await h.api.updateOrCreateInvoices(h.tenantId, {
      invoices: [
        salesInvoice('T-3', {
          reference: 'order 3',
          lineItems: [{ description: 'Bolt', quantity: 4, unitAmount: 1, accountCode: '200', taxType: 'NONE' }],
        }),
      ],
    });
    expect(res.body.invoices![0]).toMatchObject({ invoiceNumber: 'T-3', reference: 'order 3', total: 4 });
    const stored = (await h.control.dump(h.tenantId)).invoices.filter((i: any) => i.InvoiceNumber === 'T-3');
    expect(stored).toHaveLength(1);
  });

  it('walks the status machine: DRAFT → SUBMITTED → AUTHORISED → VOIDED, and VOIDED is locked', async () => {
    const created = await h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('T-6', { status: 'DRAFT' })] });
    const id = created.body.invoices![0].invoiceID!;
    for (const status of ['SUBMITTED', 'AUTHORISED', 'VOIDED']) {
      const r = await h.api.updateInvoice(h.tenantId, id, { invoices: [{ status: status as any }] });
      expect(r.body.invoices![0].status).toBe(status);
    }
    const locked = await xeroError(h.api.updateInvoice(h.tenantId, id, { invoices: [{ reference: 'late edit' }] }));
    expect(locked.status).toBe(400);
    expect(locked.body.Elements[0].ValidationErrors[0].Message).toBe('Invoice not of valid status for modification');
    const noDelete = await xeroError(
      h.api.updateInvoice(h.tenantId, (await h.api.getInvoice(h.tenantId, 'T-2')).body.invoices![0].invoiceID!, {
        invoices: [{ status: 'DELETED' as any }],
      }),
    );
    expect(noDelete.body.Elements[0].ValidationErrors[0].Message).toMatch(/cannot be deleted/);
  });

  it('refuses currencies the org has not enabled, unknown accounts and tax types, and lines without description', async () => {
    const res = await h.api.createInvoices(
      h.tenantId,
      {
        invoices: [
          salesInvoice('T-7', { currencyCode: 'EUR' }),
          salesInvoice('T-8', { currencyCode: 'USD', currencyRate: 0.6 }),
          salesInvoice('T-9', {
            lineItems: [{ description: 'x', quantity: 1, unitAmount: 1, accountCode: '999', taxType: 'BOGUS' }],
          }),
          salesInvoice('T-10', { lineItems: [{ quantity: 1, unitAmount: 1, accountCode: '200' }] }),
          salesInvoice('T-11', { lineItems: [{ itemCode: 'NOPE', quantity: 1 }] }),
        ],
      },
      false,
    );
    const msgs = res.body.invoices!.map((i) => (i.validationErrors ?? []).map((v) => v.message));
    expect(msgs[0]).toEqual(['Organisation is not subscribed to currency EUR']);
    expect(msgs[1]).toEqual([]);
    expect(res.body.invoices![1]).toMatchObject({ currencyCode: 'USD', currencyRate: 0.6 });
    expect(msgs[2]).toEqual([
      "Account code '999' is not a valid code for this document.",
      "The TaxType code 'BOGUS' does not exist or cannot be used for this type of transaction.",
    ]);
    expect(msgs[3]).toEqual(['The description field is mandatory for each line item.']);
    expect(msgs[4][0]).toBe("Item code 'NOPE' is not valid");
    const stored = (await h.control.dump(h.tenantId)).invoices.map((i: any) => i.InvoiceNumber);
    expect(stored).toContain('T-8');
    expect(stored).not.toEqual(expect.arrayContaining(['T-7']));
  });
});
