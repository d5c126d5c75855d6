import { expectSpecResponse, Harness, salesInvoice, startHarness, xeroError } from './harness';

/** A line of 3 × 9.99 at 15% GST: Xero's own tax is 4.4955 → 4.50. */
const mugs = (taxAmount?: number): any => ({
  description: 'Mugs',
  quantity: 3,
  unitAmount: 9.99,
  accountCode: '200',
  taxType: 'OUTPUT2',
  ...(taxAmount !== undefined ? { taxAmount } : {}),
});

function salesCredit(number: string, extra: Record<string, unknown> = {}): any {
  return {
    type: 'ACCRECCREDIT',
    contact: { name: 'Walk-in Customer' },
    creditNoteNumber: number,
    date: '2026-01-20',
    status: 'AUTHORISED',
    lineItems: [mugs(4.49)],
    ...extra,
  };
}

const messages = (el: any): string[] => (el.validationErrors ?? []).map((v: any) => v.message);

describe('Overridden LineItem.TaxAmount through xero-node', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('keeps a TaxAmount within a cent of Xero’s line tax and totals from it (Exclusive invoice)', async () => {
    const res = await h.api.createInvoices(h.tenantId, {
      invoices: [
        salesInvoice('TX-1', {
          lineItems: [
            mugs(4.49),
            { description: 'Shipping', quantity: 1, unitAmount: 10, accountCode: '210', taxType: 'OUTPUT2' },
          ],
        }),
      ],
    });
    await expectSpecResponse('PUT /Invoices', res.response.data);
    const inv = res.body.invoices![0];
    expect(inv.lineItems!.map((l) => [l.lineAmount, l.taxAmount])).toEqual([
      [29.97, 4.49],
      [10, 1.5],
    ]);
    expect(inv).toMatchObject({ subTotal: 39.97, totalTax: 5.99, total: 45.96, amountDue: 45.96 });

    const got = (await h.api.getInvoice(h.tenantId, 'TX-1')).body.invoices![0];
    expect(got.lineItems!.map((l) => l.taxAmount)).toEqual([4.49, 1.5]);
    expect(got).toMatchObject({ totalTax: 5.99, total: 45.96 });
    const stored = (await h.control.dump(h.tenantId)).invoices.find((i: any) => i.InvoiceNumber === 'TX-1');
    expect(stored).toMatchObject({ SubTotal: 39.97, TotalTax: 5.99, Total: 45.96, AmountDue: 45.96 });
    expect(stored.LineItems[0].TaxAmount).toBe(4.49);
  });

  it('Inclusive: LineAmount stays gross, SubTotal is the gross less the overridden tax', async () => {
    // 10.74 incl. 15%: Xero's tax 1.4009 → 1.40; the store says 1.41
    const res = await h.api.createInvoices(h.tenantId, {
      invoices: [
        salesInvoice('TX-2', {
          lineAmountTypes: 'Inclusive',
          lineItems: [
            {
              description: 'Food',
              quantity: 1,
              unitAmount: 10.74,
              accountCode: '200',
              taxType: 'OUTPUT2',
              taxAmount: 1.41,
            },
          ],
        }),
      ],
    });
    const inv = res.body.invoices![0];
    expect(inv.lineItems![0]).toMatchObject({ lineAmount: 10.74, taxAmount: 1.41 });
    expect(inv).toMatchObject({ subTotal: 9.33, totalTax: 1.41, total: 10.74, amountDue: 10.74 });
  });

  it('an update keeps the override while the lines are not resent, and recomputes a line resent without it', async () => {
    const ref = await h.api.updateInvoice(h.tenantId, 'TX-1', { invoices: [{ reference: 'order 1' }] });
    expect(ref.body.invoices![0]).toMatchObject({ reference: 'order 1', totalTax: 5.99, total: 45.96 });

    // Read-modify-write as xero-node does it: the GET's own TaxAmount goes back and is kept.
    const got = (await h.api.getInvoice(h.tenantId, 'TX-1')).body.invoices![0];
    const echoed = await h.api.updateInvoice(h.tenantId, got.invoiceID!, {
      invoices: [{ reference: 'order 1b', lineItems: got.lineItems }],
    });
    expect(echoed.body.invoices![0]).toMatchObject({ totalTax: 5.99, total: 45.96 });

    const resent = await h.api.updateOrCreateInvoices(h.tenantId, {
      invoices: [salesInvoice('TX-1', { lineItems: [mugs()] })],
    });
    expect(resent.body.invoices![0].lineItems![0].taxAmount).toBe(4.5);
    expect(resent.body.invoices![0]).toMatchObject({ subTotal: 29.97, totalTax: 4.5, total: 34.47 });
    const after = (await h.api.getInvoice(h.tenantId, 'TX-1')).body.invoices![0];
    expect(after).toMatchObject({ totalTax: 4.5, total: 34.47, amountDue: 34.47 });
  });

  it('changing LineAmountTypes without lines recomputes the tax instead of carrying the override over', async () => {
    await h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('TX-3', { lineItems: [mugs(4.49)] })] });
    const res = await h.api.updateInvoice(h.tenantId, 'TX-3', { invoices: [{ lineAmountTypes: 'Inclusive' } as any] });
    // 29.97 incl. 15%: 3.9091… → 3.91
    expect(res.body.invoices![0]).toMatchObject({ subTotal: 26.06, totalTax: 3.91, total: 29.97 });
  });

  it('refuses each out-of-bounds TaxAmount per element (summarizeErrors=false), applying the valid ones', async () => {
    const zeroRated = (taxAmount: number): any => ({
      description: 'Export',
      quantity: 1,
      unitAmount: 10,
      accountCode: '200',
      taxType: 'ZERORATED',
      taxAmount,
    });
    const tiny = { description: 'Pin', quantity: 1, unitAmount: 0.03, accountCode: '200', taxType: 'OUTPUT2' };
    const res = await h.api.createInvoices(
      h.tenantId,
      {
        invoices: [
          salesInvoice('TX-R1', { lineItems: [mugs(4.52)] }),
          salesInvoice('TX-R2', { lineAmountTypes: 'NoTax', lineItems: [mugs(4.5)] }),
          salesInvoice('TX-R3', { lineItems: [zeroRated(0.01)] }),
          salesInvoice('TX-R4', { lineItems: [{ ...tiny, taxAmount: -0.01 }] }),
          salesInvoice('TX-R5', { lineItems: [mugs(4.495)] }),
          salesInvoice('TX-OK', { lineItems: [zeroRated(0), { ...tiny, taxAmount: 0.01 }] }),
        ],
      },
      false,
    );
    const [r1, r2, r3, r4, r5, ok] = res.body.invoices!;
    expect(messages(r1)).toEqual(['Tax amount 4.52 is incorrect for OUTPUT2 tax type, should be 4.50']);
    expect(messages(r2)).toEqual(['Tax amount 4.50 is incorrect for NONE tax type, should be 0.00']);
    expect(messages(r3)).toEqual(['Tax amount 0.01 is incorrect for ZERORATED tax type, should be 0.00']);
    expect(messages(r4)).toEqual(['Tax amount -0.01 is incorrect for OUTPUT2 tax type, should be 0.00']);
    expect(messages(r5)).toEqual(['Tax amount 4.495 must not have more than 2 decimal places']);
    for (const r of [r1, r2, r3, r4, r5]) expect(r).toMatchObject({ hasErrors: true, statusAttributeString: 'ERROR' });
    expect(ok).toMatchObject({ statusAttributeString: 'OK', subTotal: 10.03, totalTax: 0.01, total: 10.04 });
    const numbers = (await h.control.dump(h.tenantId)).invoices.map((i: any) => i.InvoiceNumber);
    expect(numbers).toContain('TX-OK');
    expect(numbers.filter((n: string) => n.startsWith('TX-R'))).toEqual([]);
  });

  it('summarised: one refused TaxAmount fails the whole request with a ValidationException', async () => {
    const err = await xeroError(
      h.api.createInvoices(h.tenantId, {
        invoices: [salesInvoice('TX-S1'), salesInvoice('TX-S2', { lineItems: [mugs(4.6)] })],
      }),
    );
    expect(err.status).toBe(400);
    expect(err.body).toMatchObject({ ErrorNumber: 10, Type: 'ValidationException' });
    expect(err.body.Elements.map((e: any) => e.ValidationErrors[0].Message)).toEqual([
      'Tax amount 4.60 is incorrect for OUTPUT2 tax type, should be 4.50',
    ]);
    const numbers = (await h.control.dump(h.tenantId)).invoices.map((i: any) => i.InvoiceNumber);
    expect(numbers).not.toContain('TX-S1');
  });

  it('a refused update leaves the stored invoice and its override as they were', async () => {
    await h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('TX-4', { lineItems: [mugs(4.51)] })] });
    const err = await xeroError(
      h.api.updateOrCreateInvoices(h.tenantId, { invoices: [salesInvoice('TX-4', { lineItems: [mugs(4.3)] })] }),
    );
    expect(err.body.Elements[0].ValidationErrors[0].Message).toBe(
      'Tax amount 4.30 is incorrect for OUTPUT2 tax type, should be 4.50',
    );
    const got = (await h.api.getInvoice(h.tenantId, 'TX-4')).body.invoices![0];
    expect(got).toMatchObject({ totalTax: 4.51, total: 34.48 });
  });

  it('credit notes: an override is kept, totals and RemainingCredit follow it, GET returns it', async () => {
    const res = await h.api.createCreditNotes(h.tenantId, { creditNotes: [salesCredit('TXC-1')] });
    await expectSpecResponse('PUT /CreditNotes', res.response.data);
    const cn = res.body.creditNotes![0];
    expect(cn.lineItems![0]).toMatchObject({ lineAmount: 29.97, taxAmount: 4.49 });
    expect(cn).toMatchObject({ subTotal: 29.97, totalTax: 4.49, total: 34.46, remainingCredit: 34.46 });
    const got = (await h.api.getCreditNote(h.tenantId, cn.creditNoteID!)).body.creditNotes![0];
    expect(got.lineItems![0].taxAmount).toBe(4.49);
    expect(got).toMatchObject({ totalTax: 4.49, total: 34.46 });

    const incl = await h.api.createCreditNotes(h.tenantId, {
      creditNotes: [salesCredit('TXC-2', { lineAmountTypes: 'Inclusive', lineItems: [mugs(3.92)] })],
    });
    // 29.97 incl. 15%: Xero's 3.91, the store's 3.92
    expect(incl.body.creditNotes![0]).toMatchObject({ subTotal: 26.05, totalTax: 3.92, total: 29.97 });
  });

  it('credit notes: an update resending the line without TaxAmount recomputes it; out-of-bounds ones are refused', async () => {
    const draft = await h.api.createCreditNotes(h.tenantId, {
      creditNotes: [salesCredit('TXC-3', { status: 'DRAFT' })],
    });
    const id = draft.body.creditNotes![0].creditNoteID!;
    const upd = await h.api.updateCreditNote(h.tenantId, id, { creditNotes: [{ lineItems: [mugs()] }] });
    expect(upd.body.creditNotes![0]).toMatchObject({ totalTax: 4.5, total: 34.47 });

    const res = await h.api.createCreditNotes(
      h.tenantId,
      {
        creditNotes: [
          salesCredit('TXC-R1', { lineItems: [mugs(4.47)] }),
          salesCredit('TXC-R2', { lineAmountTypes: 'NoTax', lineItems: [mugs(0.5)] }),
        ],
      },
      false,
    );
    expect(res.body.creditNotes!.map(messages)).toEqual([
      ['Tax amount 4.47 is incorrect for OUTPUT2 tax type, should be 4.50'],
      ['Tax amount 0.50 is incorrect for NONE tax type, should be 0.00'],
    ]);
    const numbers = (await h.control.dump(h.tenantId)).creditNotes.map((c: any) => c.CreditNoteNumber);
    expect(numbers).not.toEqual(expect.arrayContaining(['TXC-R1']));
    expect(numbers).not.toEqual(expect.arrayContaining(['TXC-R2']));
  });
});
