import { expectSpecResponse, Harness, salesInvoice, startHarness, xeroError } from './harness';

describe('Payments, credit notes and settings through xero-node', () => {
  let h: Harness;
  let invoiceId: string;
  beforeAll(async () => {
    h = await startHarness();
    const res = await h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('P-1'), salesInvoice('P-2')] });
    invoiceId = res.body.invoices![0].invoiceID!; // total 23.00 (2 × 10 + 15% GST)
  });
  afterAll(() => h.close());

  it('applies partial then full payments; the invoice becomes PAID and then locked', async () => {
    const part = await h.api.createPayments(h.tenantId, {
      payments: [
        {
          invoice: { invoiceID: invoiceId },
          account: { code: '090' },
          date: '2026-01-20',
          amount: 3,
          reference: 'P-1',
        },
      ],
    });
    await expectSpecResponse('PUT /Payments', part.response.data);
    expect((await h.api.getInvoice(h.tenantId, invoiceId)).body.invoices![0]).toMatchObject({
      amountPaid: 3,
      amountDue: 20,
    });

    const over = await h.api.createPayments(
      h.tenantId,
      {
        payments: [{ invoice: { invoiceID: invoiceId }, account: { code: '090' }, date: '2026-01-21', amount: 20.01 }],
      },
      false,
    );
    expect(over.body.payments![0].validationErrors![0].message).toBe(
      'Payment amount exceeds the amount outstanding on this document',
    );

    const rest = await h.api.createPayment(h.tenantId, {
      invoice: { invoiceNumber: 'P-1' },
      account: { code: '091' },
      date: '2026-01-22',
      amount: 20,
    });
    expect(rest.body.payments![0].amount).toBe(20);
    const paid = (await h.api.getInvoice(h.tenantId, invoiceId)).body.invoices![0];
    expect(paid).toMatchObject({ status: 'PAID', amountDue: 0, amountPaid: 23 });
    expect(paid.payments).toHaveLength(2);

    const locked = await xeroError(h.api.updateInvoice(h.tenantId, invoiceId, { invoices: [{ reference: 'edit' }] }));
    expect(locked.body.Elements[0].ValidationErrors[0].Message).toBe('Invoice not of valid status for modification');
    const listed = await h.api.getPayments(h.tenantId, undefined, 'Reference=="P-1"');
    expect(listed.body.payments!.map((p) => p.amount)).toEqual([3]);
    await expectSpecResponse('GET /Payments', listed.response.data);
  });

  it('deleting a payment reopens the invoice', async () => {
    const payments = (await h.api.getPayments(h.tenantId)).body.payments!;
    const res = await h.api.deletePayment(h.tenantId, payments[1].paymentID!, { status: 'DELETED' });
    expect(res.body.payments![0].status).toBe('DELETED');
    expect((await h.api.getInvoice(h.tenantId, invoiceId)).body.invoices![0]).toMatchObject({
      status: 'AUTHORISED',
      amountDue: 20,
      amountPaid: 3,
    });
    const stored = (await h.control.dump(h.tenantId)).payments.map((p: any) => p.Status);
    expect(stored).toEqual(['AUTHORISED', 'DELETED']);
  });

  it('refuses payments to non-bank accounts and to draft invoices', async () => {
    const draft = await h.api.createInvoices(h.tenantId, { invoices: [salesInvoice('P-3', { status: 'DRAFT' })] });
    const res = await h.api.createPayments(
      h.tenantId,
      {
        payments: [
          { invoice: { invoiceID: invoiceId }, account: { code: '200' }, date: '2026-01-22', amount: 1 },
          {
            invoice: { invoiceID: draft.body.invoices![0].invoiceID },
            account: { code: '090' },
            date: '2026-01-22',
            amount: 1,
          },
        ],
      },
      false,
    );
    expect(res.body.payments![0].validationErrors![0].message).toMatch(/must be of type BANK/);
    expect(res.body.payments![1].validationErrors![0].message).toMatch(/AUTHORISED/);
  });

  it('creates a credit note, allocates it within limits, and refunds the rest', async () => {
    const cn = await h.api.createCreditNotes(h.tenantId, {
      creditNotes: [
        {
          type: 'ACCRECCREDIT' as any,
          contact: { name: 'Walk-in Customer' },
          creditNoteNumber: 'CM-1',
          date: '2026-01-25',
          status: 'AUTHORISED' as any,
          lineItems: [{ description: 'Return', quantity: 1, unitAmount: 10, accountCode: '200', taxType: 'OUTPUT2' }],
        },
      ],
    });
    await expectSpecResponse('PUT /CreditNotes', cn.response.data);
    const credit = cn.body.creditNotes![0];
    expect(credit).toMatchObject({ total: 11.5, remainingCredit: 11.5 });
    const p2 = (await h.api.getInvoice(h.tenantId, 'P-2')).body.invoices![0];

    const over = await xeroError(
      h.api.createCreditNoteAllocation(h.tenantId, credit.creditNoteID!, {
        allocations: [{ invoice: { invoiceID: p2.invoiceID }, amount: 11.51, date: '2026-01-26' }],
      }),
    );
    expect(over.status).toBe(400);
    expect(over.body.Elements[0].ValidationErrors[0].Message).toMatch(/exceeds the remaining credit/);

    const alloc = await h.api.createCreditNoteAllocation(h.tenantId, credit.creditNoteID!, {
      allocations: [{ invoice: { invoiceID: p2.invoiceID }, amount: 5, date: '2026-01-26' }],
    });
    expect(alloc.body.allocations![0].amount).toBe(5);
    expect((await h.api.getInvoice(h.tenantId, 'P-2')).body.invoices![0]).toMatchObject({
      amountCredited: 5,
      amountDue: 18,
    });

    const refund = await h.api.createPayments(h.tenantId, {
      payments: [
        {
          creditNote: { creditNoteID: credit.creditNoteID },
          account: { code: '090' },
          date: '2026-01-27',
          amount: 6.5,
        },
      ],
    });
    expect(refund.body.payments![0].paymentType).toBe('ARCREDITPAYMENT');
    const after = (await h.api.getCreditNote(h.tenantId, credit.creditNoteID!)).body.creditNotes![0];
    expect(after).toMatchObject({ remainingCredit: 0, status: 'PAID' });
    expect(after.allocations).toHaveLength(1);
    const listed = await h.api.getCreditNotes(h.tenantId, undefined, 'CreditNoteNumber=="CM-1"', undefined, 1);
    expect(listed.body.creditNotes).toHaveLength(1);
    await expectSpecResponse('GET /CreditNotes', listed.response.data);
    const dump = await h.control.dump(h.tenantId);
    expect(dump.allocations).toHaveLength(1);
    expect(dump.creditNotes[0]).toMatchObject({ CreditNoteNumber: 'CM-1', Status: 'PAID' });
  });

  it('refuses allocation to an invoice amount above what it owes, and from a draft credit note', async () => {
    const draft = await h.api.createCreditNotes(h.tenantId, {
      creditNotes: [
        {
          type: 'ACCRECCREDIT' as any,
          contact: { name: 'Walk-in Customer' },
          creditNoteNumber: 'CM-2',
          lineItems: [{ description: 'Return', quantity: 1, unitAmount: 100, accountCode: '200' }],
        },
      ],
    });
    const id = draft.body.creditNotes![0].creditNoteID!;
    const p2 = (await h.api.getInvoice(h.tenantId, 'P-2')).body.invoices![0];
    const res = await h.api.createCreditNoteAllocation(
      h.tenantId,
      id,
      { allocations: [{ invoice: { invoiceID: p2.invoiceID }, amount: 50, date: '2026-01-26' }] },
      false,
    );
    const msgs = res.body.allocations![0].validationErrors!.map((v) => v.message);
    expect(msgs).toEqual(
      expect.arrayContaining([
        'Credit note must be AUTHORISED before it can be allocated',
        'The amount allocated exceeds the amount outstanding on the invoice',
      ]),
    );
    const dup = await h.api.createCreditNotes(
      h.tenantId,
      {
        creditNotes: [
          {
            type: 'ACCRECCREDIT' as any,
            contact: { name: 'X' },
            creditNoteNumber: 'CM-2',
            lineItems: [{ description: 'r', quantity: 1, unitAmount: 1, accountCode: '200' }],
          },
        ],
      },
      false,
    );
    expect(dup.body.creditNotes![0].validationErrors![0].message).toBe('Credit Note # must be unique.');
    const disc = await h.api.createCreditNotes(
      h.tenantId,
      {
        creditNotes: [
          {
            type: 'ACCRECCREDIT' as any,
            contact: { name: 'X' },
            lineItems: [{ description: 'r', quantity: 1, unitAmount: 1, accountCode: '200', discountRate: 10 }],
          },
        ],
      },
      false,
    );
    expect(disc.body.creditNotes![0].validationErrors![0].message).toMatch(/Discounts are not supported/);
  });

  it('refuses a credit note or invoice whose total is below zero (a negative line alone is fine)', async () => {
    const fee = { description: 'Adjustment fee', quantity: 1, unitAmount: -3.33, accountCode: '200', taxType: 'NONE' };
    const res = await h.api.createCreditNotes(
      h.tenantId,
      {
        creditNotes: [
          {
            type: 'ACCRECCREDIT' as any,
            contact: { name: 'Negative Refund Customer' },
            creditNoteNumber: 'CM-NEG',
            status: 'AUTHORISED' as any,
            lineItems: [
              { description: 'Return', quantity: 1, unitAmount: 1, accountCode: '200', taxType: 'NONE' },
              fee,
            ],
          },
          {
            type: 'ACCRECCREDIT' as any,
            contact: { name: 'Walk-in Customer' },
            creditNoteNumber: 'CM-POS',
            status: 'AUTHORISED' as any,
            lineItems: [
              { description: 'Return', quantity: 1, unitAmount: 5, accountCode: '200', taxType: 'NONE' },
              fee,
            ],
          },
        ],
      },
      false,
    );
    expect(res.body.creditNotes![0].validationErrors!.map((v) => v.message)).toEqual([
      'The Total for this document must be greater than or equal to zero.',
    ]);
    expect(res.body.creditNotes![1]).toMatchObject({ total: 1.67, remainingCredit: 1.67 });
    const inv = await h.api.createInvoices(
      h.tenantId,
      { invoices: [salesInvoice('P-NEG', { lineItems: [fee] })] },
      false,
    );
    expect(inv.body.invoices![0].validationErrors![0].message).toBe(
      'The Total for this document must be greater than or equal to zero.',
    );
    const dump = await h.control.dump(h.tenantId);
    expect(dump.creditNotes.map((c: any) => c.CreditNoteNumber)).not.toContain('CM-NEG');
    expect(dump.invoices.map((i: any) => i.InvoiceNumber)).not.toContain('P-NEG');
    // A refused document creates no contact either.
    expect(dump.contacts.map((c: any) => c.Name)).not.toContain('Negative Refund Customer');
  });

  it('serves Accounts, TaxRates, Currencies and Organisation in the spec’s shapes', async () => {
    const accounts = await h.api.getAccounts(h.tenantId, undefined, 'Type=="BANK"');
    expect(accounts.body.accounts!.map((a) => a.code)).toEqual(['090', '091']);
    await expectSpecResponse('GET /Accounts', accounts.response.data);
    const taxRates = await h.api.getTaxRates(h.tenantId);
    expect(taxRates.body.taxRates!.find((t) => t.taxType === 'OUTPUT2')).toMatchObject({
      effectiveRate: 15,
      name: '15% GST on Income',
    });
    await expectSpecResponse('GET /TaxRates', taxRates.response.data);
    const currencies = await h.api.getCurrencies(h.tenantId);
    expect(currencies.body.currencies!.map((c) => c.code)).toEqual(['NZD', 'USD']);
    await expectSpecResponse('GET /Currencies', currencies.response.data);
    const org = await h.api.getOrganisations(h.tenantId);
    expect(org.body.organisations![0]).toMatchObject({
      organisationID: h.tenantId,
      name: 'Test Store Ltd',
      baseCurrency: 'NZD',
    });
    await expectSpecResponse('GET /Organisation', org.response.data);
  });
});
