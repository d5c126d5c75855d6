import { reconcile, StoreDocument, XeroDocument } from './reconciliation';

const inv = (number: string, total: number, tax: number, extra: Partial<StoreDocument> = {}): StoreDocument => ({
  type: 'invoice',
  number,
  entityId: number.replace('MI-', ''),
  currency: 'NZD',
  total,
  tax,
  taxByRate: { '15': tax },
  cancelled: false,
  ...extra,
});
const xinv = (number: string, total: number, tax: number, extra: Partial<XeroDocument> = {}): XeroDocument => ({
  type: 'invoice',
  id: `x-${number}-${total}`,
  number,
  status: 'AUTHORISED',
  currency: 'NZD',
  total,
  totalTax: tax,
  taxByType: { OUTPUT2: tax },
  ...extra,
});
const rate = (t: string) => ({ OUTPUT2: 15, NONE: 0 })[t];

describe('reconcile', () => {
  it('balances when every document matches to the cent', () => {
    const r = reconcile([inv('MI-1', 115, 15), inv('MI-2', 23, 3)], [xinv('MI-1', 115, 15), xinv('MI-2', 23, 3)], rate);
    expect(r.balanced).toBe(true);
    expect(r.totals).toEqual([
      {
        currency: 'NZD',
        type: 'invoice',
        documents: 2,
        storeTotal: 138,
        xeroTotal: 138,
        storeTax: 18,
        xeroTax: 18,
        difference: 0,
      },
    ]);
    expect(r.taxRates).toEqual([{ currency: 'NZD', ratePercent: 15, storeTax: 18, xeroTax: 18, difference: 0 }]);
  });

  it('lists missing, doubled and differing documents', () => {
    const r = reconcile(
      [inv('MI-1', 115, 15), inv('MI-2', 23, 3), inv('MI-3', 10.01, 1.3), inv('MI-4', 50, 0, { cancelled: true })],
      [
        xinv('MI-2', 23, 3),
        xinv('MI-2', 23, 3, { id: 'dup' }),
        xinv('MI-3', 10, 1.3),
        xinv('MI-4', 50, 0),
        xinv('MI-1', 115, 15, { status: 'VOIDED' }),
      ],
      rate,
    );
    expect(r.balanced).toBe(false);
    expect(r.issues.map((i) => [i.kind, i.number])).toEqual([
      ['missing', 'MI-1'],
      ['doubled', 'MI-2'],
      ['differs', 'MI-3'],
      ['differs', 'MI-4'],
    ]);
    expect(r.issues[2].detail).toBe('total 10.01 in the store, 10.00 in Xero');
    expect(r.totals[0].difference).toBe(-92.01);
  });

  it('separates currencies and subtracts credit notes from tax by rate', () => {
    const r = reconcile(
      [
        inv('MI-1', 115, 15),
        inv('MI-5', 23, 3, { currency: 'USD' }),
        { ...inv('MCN-1', 11.5, 1.5), type: 'creditnote' },
      ],
      [
        xinv('MI-1', 115, 15),
        xinv('MI-5', 23, 3, { currency: 'USD' }),
        { ...xinv('MCN-1', 11.5, 1.5), type: 'creditnote' },
      ],
      rate,
    );
    expect(r.balanced).toBe(true);
    expect(r.taxRates).toEqual([
      { currency: 'NZD', ratePercent: 15, storeTax: 13.5, xeroTax: 13.5, difference: 0 },
      { currency: 'USD', ratePercent: 15, storeTax: 3, xeroTax: 3, difference: 0 },
    ]);
  });
});

describe('reconcile: differences by field', () => {
  const fields = (r: ReturnType<typeof reconcile>) =>
    r.differences.map((d) => [d.kind, d.field, d.number, d.store, d.xero]);

  it('names each differing field with both figures, to the cent', () => {
    const r = reconcile(
      [inv('MI-1', 115, 15, { date: '2026-01-05' }), inv('MI-2', 0.3, 0.03, { date: '2026-01-05' })],
      [
        xinv('MI-1', 115.01, 15, { date: '2026-01-04', currency: 'USD' }),
        // 0.1 + 0.2 is 0.30000000000000004 as a double; in cents it is 30.
        xinv('MI-2', 0.1 + 0.2, 0.03, { date: '2026-01-05' }),
      ],
      rate,
    );
    expect(fields(r)).toEqual([
      ['differs', 'currency', 'MI-1', 'NZD', 'USD'],
      ['differs', 'total', 'MI-1', '115.00', '115.01'],
      ['differs', 'date', 'MI-1', '2026-01-05', '2026-01-04'],
    ]);
    expect(r.differences[0]).toMatchObject({ type: 'invoice', entity: 'order', entityId: '1' });
    expect(r.issues.map((i) => i.number)).toEqual(['MI-1']);
    expect(r.balanced).toBe(false);
  });

  it('reports missing in Xero, doubled in Xero and missing in the store', () => {
    const r = reconcile(
      [inv('MI-1', 10, 0), inv('MI-2', 20, 0)],
      [
        xinv('MI-2', 20, 0),
        xinv('MI-2', 20, 0, { id: 'again' }),
        xinv('MI-9', 9.99, 0),
        xinv('MI-8', 1, 0, { status: 'VOIDED' }),
      ],
      rate,
      { entityOf: (_type, number) => (number === 'MI-9' ? '9' : undefined) },
    );
    expect(fields(r)).toEqual([
      ['missing-in-xero', 'presence', 'MI-1', '10.00', null],
      ['doubled', 'presence', 'MI-2', '1', '2'],
      ['missing-in-store', 'presence', 'MI-9', null, '9.99'],
    ]);
    expect(r.differences[2]).toMatchObject({ entity: 'order', entityId: '9' });
  });

  it('tax differs by a cent', () => {
    const r = reconcile([inv('MI-1', 115, 15)], [xinv('MI-1', 115, 14.99)], rate);
    expect(fields(r)).toEqual([['differs', 'tax', 'MI-1', '15.00', '14.99']]);
  });

  it('checks payments by Reference on an authorised invoice: missing, doubled, differing, unknown', () => {
    const payments = [
      { reference: 'P-1', entityId: '11', amount: 50 },
      { reference: 'P-2', entityId: '12', amount: 40 },
      { reference: 'P-3', entityId: '13', amount: 25 },
      { reference: 'P-4', entityId: '14', amount: 0 },
    ];
    const r = reconcile(
      [inv('MI-1', 115, 15, { payments })],
      [
        xinv('MI-1', 115, 15, {
          payments: [
            { reference: 'P-2', amount: 40 },
            { reference: 'P-2', amount: 40 },
            { reference: 'P-3', amount: 24.99 },
            { reference: 'X-7', amount: 10 },
          ],
        }),
      ],
      rate,
    );
    expect(
      r.differences.map((d) => [d.kind, d.field, d.type, d.number, d.entity, d.entityId, d.store, d.xero]),
    ).toEqual([
      ['missing-in-xero', 'presence', 'payment', 'P-1', 'invoice', '11', '50.00', null],
      ['doubled', 'presence', 'payment', 'P-2', 'invoice', '12', '1', '2'],
      ['differs', 'payment', 'payment', 'P-3', 'invoice', '13', '25.00', '24.99'],
      ['missing-in-store', 'presence', 'payment', 'X-7', 'order', '1', null, '10.00'],
    ]);
  });

  it('expects no payments on an invoice Xero holds as a draft', () => {
    const payments = [{ reference: 'P-1', entityId: '11', amount: 50 }];
    const r = reconcile([inv('MI-1', 115, 15, { payments })], [xinv('MI-1', 115, 15, { status: 'DRAFT' })], rate);
    expect(r.differences).toEqual([]);
    expect(r.balanced).toBe(true);
  });

  it('needs refunds plus allocations to equal the credit note total when the memo settles', () => {
    const memo = (extra: Partial<StoreDocument>) => ({
      ...inv('MCN-1', 30.3, 0),
      type: 'creditnote' as const,
      ...extra,
    });
    const credit = (extra: Partial<XeroDocument>) => ({
      ...xinv('MCN-1', 30.3, 0),
      type: 'creditnote' as const,
      ...extra,
    });
    const settled = reconcile(
      [memo({ settles: true })],
      [credit({ allocated: 10.1, payments: [{ reference: 'MCN-1', amount: 20.2 }] })],
      rate,
    );
    expect(settled.differences).toEqual([]);
    const short = reconcile(
      [memo({ settles: true })],
      [credit({ allocated: 10.1, payments: [{ reference: 'MCN-1', amount: 20.19 }] })],
      rate,
    );
    expect(short.differences.map((d) => [d.kind, d.field, d.entity, d.store, d.xero])).toEqual([
      ['differs', 'refund', 'creditmemo', '30.30', '30.29'],
    ]);
    const open = reconcile([memo({ settles: false })], [credit({ allocated: 0 })], rate);
    expect(open.differences).toEqual([]);
  });

  it('totals the base currency where every document states it', () => {
    const r = reconcile(
      [
        inv('MI-1', 115, 15, { currency: 'USD', baseCurrency: 'NZD', baseTotal: 191.67 }),
        inv('MI-2', 23, 3, { currency: 'USD', baseCurrency: 'NZD', baseTotal: 38.33 }),
      ],
      [
        xinv('MI-1', 115, 15, { currency: 'USD', currencyRate: 0.6 }),
        xinv('MI-2', 23, 3, { currency: 'USD', currencyRate: 0.6 }),
      ],
      rate,
    );
    expect(r.totals[0]).toMatchObject({
      currency: 'USD',
      baseCurrency: 'NZD',
      storeBaseTotal: 230,
      xeroBaseTotal: 230,
    });
  });
});
