/**
 * Pure comparison of a store's documents with Xero's for one period: per-document issues (missing, doubled,
 * differing) and totals by currency and by tax rate. Money is compared in cents.
 */

/** A store document as Xero should hold it. */
export interface StoreDocument {
  type: 'invoice' | 'creditnote';
  number: string;
  entityId: string;
  currency: string;
  total: number;
  tax: number;
  /** Tax by rate percent (lines and shipping). */
  taxByRate: Record<string, number>;
  /** Cancelled orders must not be live in Xero (voided, deleted or absent). */
  cancelled: boolean;
}

/** A Xero document as the read API returns it (the fields used here). */
export interface XeroDocument {
  type: 'invoice' | 'creditnote';
  id: string;
  number: string;
  status: string;
  currency: string;
  total: number;
  totalTax: number;
  /** Tax by TaxType over the line items. */
  taxByType: Record<string, number>;
}

export type IssueKind = 'missing' | 'doubled' | 'differs';

export interface ReconciliationIssue {
  kind: IssueKind;
  type: 'invoice' | 'creditnote';
  number: string;
  entityId: string;
  storeTotal: number;
  xeroTotals: number[];
  xeroIds: string[];
  detail: string;
}

export interface CurrencyTotals {
  currency: string;
  type: 'invoice' | 'creditnote';
  documents: number;
  storeTotal: number;
  xeroTotal: number;
  storeTax: number;
  xeroTax: number;
  difference: number;
}

export interface TaxRateTotals {
  currency: string;
  ratePercent: number;
  storeTax: number;
  xeroTax: number;
  difference: number;
}

export interface ReconciliationResult {
  balanced: boolean;
  issues: ReconciliationIssue[];
  totals: CurrencyTotals[];
  taxRates: TaxRateTotals[];
}

const cents = (n: number) => Math.round(n * 100);
const money = (c: number) => c / 100;
const LIVE = (status: string) => status !== 'VOIDED' && status !== 'DELETED';

function add(map: Map<string, number>, key: string, value: number) {
  map.set(key, (map.get(key) ?? 0) + value);
}

/**
 * Compares store documents with the Xero documents found under the same numbers. `rateOfTaxType` turns Xero
 * tax types into percents (from the org's tax rates) so tax can be compared by rate.
 */
export function reconcile(
  store: StoreDocument[],
  xero: XeroDocument[],
  rateOfTaxType: (taxType: string) => number | undefined,
): ReconciliationResult {
  const byNumber = new Map<string, XeroDocument[]>();
  for (const d of xero) {
    if (!LIVE(d.status)) continue;
    const key = `${d.type}:${d.number}`;
    byNumber.set(key, [...(byNumber.get(key) ?? []), d]);
  }
  const issues: ReconciliationIssue[] = [];
  const totals = new Map<string, { docs: number; st: number; xt: number; stax: number; xtax: number }>();
  const rates = new Map<string, { s: number; x: number }>();

  for (const doc of store) {
    const live = byNumber.get(`${doc.type}:${doc.number}`) ?? [];
    const base = {
      type: doc.type,
      number: doc.number,
      entityId: doc.entityId,
      storeTotal: doc.total,
      xeroTotals: live.map((d) => d.total),
      xeroIds: live.map((d) => d.id),
    };
    if (doc.cancelled) {
      if (live.length > 0)
        issues.push({ ...base, kind: 'differs', detail: `cancelled in the store but ${live[0].status} in Xero` });
      continue;
    }
    if (live.length === 0) issues.push({ ...base, kind: 'missing', detail: 'not in Xero' });
    else if (live.length > 1)
      issues.push({ ...base, kind: 'doubled', detail: `${live.length} live documents with this number` });
    else {
      const x = live[0];
      if (x.currency !== doc.currency) {
        issues.push({
          ...base,
          kind: 'differs',
          detail: `currency ${doc.currency} in the store, ${x.currency} in Xero`,
        });
      } else if (cents(x.total) !== cents(doc.total)) {
        issues.push({
          ...base,
          kind: 'differs',
          detail: `total ${doc.total.toFixed(2)} in the store, ${x.total.toFixed(2)} in Xero`,
        });
      } else if (cents(x.totalTax) !== cents(doc.tax)) {
        issues.push({
          ...base,
          kind: 'differs',
          detail: `tax ${doc.tax.toFixed(2)} in the store, ${x.totalTax.toFixed(2)} in Xero`,
        });
      }
    }
    const key = `${doc.currency}|${doc.type}`;
    const t = totals.get(key) ?? { docs: 0, st: 0, xt: 0, stax: 0, xtax: 0 };
    t.docs += 1;
    t.st += cents(doc.total);
    t.stax += cents(doc.tax);
    for (const x of live) {
      t.xt += cents(x.total);
      t.xtax += cents(x.totalTax);
    }
    totals.set(key, t);
    const storeRates = new Map<string, number>();
    for (const [rate, tax] of Object.entries(doc.taxByRate)) add(storeRates, rate, cents(tax));
    for (const [rate, c] of storeRates) {
      const r = rates.get(`${doc.currency}|${rate}`) ?? { s: 0, x: 0 };
      r.s += doc.type === 'creditnote' ? -c : c;
      rates.set(`${doc.currency}|${rate}`, r);
    }
    for (const x of live) {
      for (const [taxType, tax] of Object.entries(x.taxByType)) {
        const rate = String(rateOfTaxType(taxType) ?? `?${taxType}`);
        const r = rates.get(`${doc.currency}|${rate}`) ?? { s: 0, x: 0 };
        r.x += doc.type === 'creditnote' ? -cents(tax) : cents(tax);
        rates.set(`${doc.currency}|${rate}`, r);
      }
    }
  }

  const totalRows: CurrencyTotals[] = [...totals].map(([key, t]) => {
    const [currency, type] = key.split('|') as [string, 'invoice' | 'creditnote'];
    return {
      currency,
      type,
      documents: t.docs,
      storeTotal: money(t.st),
      xeroTotal: money(t.xt),
      storeTax: money(t.stax),
      xeroTax: money(t.xtax),
      difference: money(t.xt - t.st),
    };
  });
  const rateRows: TaxRateTotals[] = [...rates]
    .filter(([, r]) => r.s !== 0 || r.x !== 0)
    .map(([key, r]) => {
      const [currency, rate] = key.split('|');
      return {
        currency,
        ratePercent: Number(rate),
        storeTax: money(r.s),
        xeroTax: money(r.x),
        difference: money(r.x - r.s),
      };
    });
  const sort = <T extends { currency: string }>(rows: T[], by: (r: T) => string | number) =>
    rows.sort((a, b) => a.currency.localeCompare(b.currency) || String(by(a)).localeCompare(String(by(b))));
  return {
    balanced:
      issues.length === 0 && totalRows.every((t) => t.difference === 0) && rateRows.every((r) => r.difference === 0),
    issues,
    totals: sort(totalRows, (r) => r.type),
    taxRates: sort(rateRows, (r) => r.ratePercent),
  };
}
