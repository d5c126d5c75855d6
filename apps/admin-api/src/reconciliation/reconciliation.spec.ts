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
