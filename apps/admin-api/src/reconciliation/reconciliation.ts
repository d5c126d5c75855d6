import { cents, divRound, fromCents, scaled } from '@xero-sync/xero';

/**
 * Pure comparison of a store's documents with Xero's for one period: per-document issues (missing, doubled,
 * differing), per-field differences (presence, total, tax, date, currency, payments, refunds and allocations) and
 * totals by currency and by tax rate. Money is compared in exact cents (libs/xero's money helpers).
 */

import type {
  StoreDocument,
  XeroDocument,
  DifferenceKind,
  DifferenceField,
  ReconciliationDifference,
  ReconciliationIssue,
  CurrencyTotals,
  TaxRateTotals,
  ReconciliationResult,
  ReconcileOptions,
} from './reconciliation.types';
export type * from './reconciliation.types';

const money = fromCents;
const text = (c: bigint) => fromCents(c).toFixed(2);
const LIVE = (status: string) => status !== 'VOIDED' && status !== 'DELETED';
/** Xero takes payments, refunds and allocations only on these. */
const SETTLEABLE = (status: string) => status === 'AUTHORISED' || status === 'PAID';
const ENTITY = { invoice: 'order', creditnote: 'creditmemo' } as const;

function add(map: Map<string, bigint>, key: string, value: bigint) {
  map.set(key, (map.get(key) ?? 0n) + value);
}

/** A Xero amount in the org's base currency: amount / CurrencyRate, in cents. */
function baseCents(amount: number, rate: number | undefined): bigint | undefined {
  if (rate === undefined || rate <= 0) return undefined;
  return divRound(cents(amount) * 1_000_000n, scaled(rate, 6));
}

/**
 * Compares store documents with the Xero documents found under the same numbers. `rateOfTaxType` turns Xero
 * tax types into percents (from the org's tax rates) so tax can be compared by rate. `issues` keeps the first
 * problem of each document; `differences` lists every differing field. Live Xero documents whose number no store
 * document has are missing in the store.
 */
export function reconcile(
  store: StoreDocument[],
  xero: XeroDocument[],
  rateOfTaxType: (taxType: string) => number | undefined,
  options: ReconcileOptions = {},
): ReconciliationResult {
  const byNumber = new Map<string, XeroDocument[]>();
  for (const d of xero) {
    if (!LIVE(d.status)) continue;
    const key = `${d.type}:${d.number}`;
    byNumber.set(key, [...(byNumber.get(key) ?? []), d]);
  }
  const issues: ReconciliationIssue[] = [];
  const differences: ReconciliationDifference[] = [];
  interface Row {
    docs: number;
    st: bigint;
    xt: bigint;
    stax: bigint;
    xtax: bigint;
    baseCurrency?: string;
    sb?: bigint;
    xb?: bigint;
  }
  const totals = new Map<string, Row>();
  const rates = new Map<string, { s: bigint; x: bigint }>();
  for (const doc of store) {
    const live = byNumber.get(`${doc.type}:${doc.number}`) ?? [];
    byNumber.delete(`${doc.type}:${doc.number}`);
    const base = {
      type: doc.type,
      number: doc.number,
      entityId: doc.entityId,
      storeTotal: doc.total,
      xeroTotals: live.map((d) => d.total),
      xeroIds: live.map((d) => d.id),
    };
    const differ = (
      kind: DifferenceKind,
      field: DifferenceField,
      storeFigure: string | null,
      xeroFigure: string | null,
      detail: string,
    ) =>
      differences.push({
        kind,
        field,
        type: doc.type,
        number: doc.number,
        entity: ENTITY[doc.type],
        entityId: doc.entityId,
        store: storeFigure,
        xero: xeroFigure,
        detail,
      });
    if (doc.cancelled) {
      if (live.length > 0) {
        const detail = `cancelled in the store but ${live[0].status} in Xero`;
        issues.push({ ...base, kind: 'differs', detail });
        differ('differs', 'status', 'canceled', live[0].status, detail);
      }
      continue;
    }
    if (live.length === 0) {
      issues.push({ ...base, kind: 'missing', detail: 'not in Xero' });
      differ('missing-in-xero', 'presence', text(cents(doc.total)), null, 'not in Xero');
    } else if (live.length > 1) {
      const detail = `${live.length} live documents with this number`;
      issues.push({ ...base, kind: 'doubled', detail });
      differ('doubled', 'presence', '1', String(live.length), detail);
    } else {
      const x = live[0];
      const found: { field: DifferenceField; s: string; x: string; detail: string }[] = [];
      if (x.currency !== doc.currency)
        found.push({
          field: 'currency',
          s: doc.currency,
          x: x.currency,
          detail: `currency ${doc.currency} in the store, ${x.currency} in Xero`,
        });
      if (cents(x.total) !== cents(doc.total))
        found.push({
          field: 'total',
          s: text(cents(doc.total)),
          x: text(cents(x.total)),
          detail: `total ${text(cents(doc.total))} in the store, ${text(cents(x.total))} in Xero`,
        });
      if (cents(x.totalTax) !== cents(doc.tax))
        found.push({
          field: 'tax',
          s: text(cents(doc.tax)),
          x: text(cents(x.totalTax)),
          detail: `tax ${text(cents(doc.tax))} in the store, ${text(cents(x.totalTax))} in Xero`,
        });
      if (doc.date && x.date && doc.date !== x.date)
        found.push({
          field: 'date',
          s: doc.date,
          x: x.date,
          detail: `dated ${doc.date} in the store, ${x.date} in Xero`,
        });
      if (found.length > 0) issues.push({ ...base, kind: 'differs', detail: found[0].detail });
      for (const f of found) differ('differs', f.field, f.s, f.x, f.detail);
      if (SETTLEABLE(x.status)) settlement(doc, x, differences);
    }
    const key = `${doc.currency}|${doc.type}`;
    const t = totals.get(key) ?? { docs: 0, st: 0n, xt: 0n, stax: 0n, xtax: 0n, sb: 0n, xb: 0n };
    t.docs += 1;
    t.st += cents(doc.total);
    t.stax += cents(doc.tax);
    if (
      t.sb !== undefined &&
      doc.baseTotal !== undefined &&
      doc.baseCurrency &&
      (t.baseCurrency ?? doc.baseCurrency) === doc.baseCurrency
    ) {
      t.baseCurrency = doc.baseCurrency;
      t.sb += cents(doc.baseTotal);
    } else t.sb = undefined;
    for (const x of live) {
      t.xt += cents(x.total);
      t.xtax += cents(x.totalTax);
      const xb = x.currency === doc.baseCurrency ? cents(x.total) : baseCents(x.total, x.currencyRate);
      t.xb = t.xb !== undefined && xb !== undefined ? t.xb + xb : undefined;
    }
    totals.set(key, t);
    const storeRates = new Map<string, bigint>();
    for (const [rate, tax] of Object.entries(doc.taxByRate)) add(storeRates, rate, cents(tax));
    for (const [rate, c] of storeRates) {
      const r = rates.get(`${doc.currency}|${rate}`) ?? { s: 0n, x: 0n };
      r.s += doc.type === 'creditnote' ? -c : c;
      rates.set(`${doc.currency}|${rate}`, r);
    }
    for (const x of live) {
      for (const [taxType, tax] of Object.entries(x.taxByType)) {
        const rate = String(rateOfTaxType(taxType) ?? `?${taxType}`);
        const r = rates.get(`${doc.currency}|${rate}`) ?? { s: 0n, x: 0n };
        r.x += doc.type === 'creditnote' ? -cents(tax) : cents(tax);
        rates.set(`${doc.currency}|${rate}`, r);
      }
    }
  }
  for (const docs of byNumber.values()) {
    const x = docs[0];
    differences.push({
      kind: 'missing-in-store',
      field: 'presence',
      type: x.type,
      number: x.number,
      entity: ENTITY[x.type],
      entityId: options.entityOf?.(x.type, x.number) ?? '',
      store: null,
      xero: text(cents(x.total)),
      detail: `in Xero (${x.status}) but not among the store's documents of the period`,
    });
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
      ...(t.baseCurrency && t.sb !== undefined
        ? {
            baseCurrency: t.baseCurrency,
            storeBaseTotal: money(t.sb),
            ...(t.xb !== undefined ? { xeroBaseTotal: money(t.xb) } : {}),
          }
        : {}),
    };
  });
  const rateRows: TaxRateTotals[] = [...rates]
    .filter(([, r]) => r.s !== 0n || r.x !== 0n)
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
      issues.length === 0 &&
      differences.length === 0 &&
      totalRows.every((t) => t.difference === 0) &&
      rateRows.every((r) => r.difference === 0),
    issues,
    totals: sort(totalRows, (r) => r.type),
    taxRates: sort(rateRows, (r) => r.ratePercent),
    differences,
  };
}

/**
 * Payments of an invoice (each captured store invoice is one Xero payment with its number as Reference and its
 * amount, and one more per gift-card or store-credit part, Reference "<number> gift card" / "<number> store
 * credit"; a payment whose Reference no store invoice has is missing in the store) and the settlement of a credit
 * note (its refunds and allocations add up to its total, less tender parts left open, when its method is mapped).
 */
function settlement(doc: StoreDocument, x: XeroDocument, out: ReconciliationDifference[]): void {
  const payments = x.payments ?? [];
  if (doc.type === 'invoice' && doc.payments) {
    const expected = new Set(doc.payments.map((p) => p.reference));
    for (const p of doc.payments) {
      if (cents(p.amount) <= 0n) continue;
      const hits = payments.filter((xp) => xp.reference === p.reference);
      const row = { type: 'payment' as const, number: p.reference, entity: 'invoice' as const, entityId: p.entityId };
      const want = text(cents(p.amount));
      if (hits.length === 0)
        out.push({
          ...row,
          kind: 'missing-in-xero',
          field: 'presence',
          store: want,
          xero: null,
          detail: `no payment with Reference ${p.reference} on ${doc.number} in Xero`,
        });
      else if (hits.length > 1)
        out.push({
          ...row,
          kind: 'doubled',
          field: 'presence',
          store: '1',
          xero: String(hits.length),
          detail: `${hits.length} payments with Reference ${p.reference} on ${doc.number} in Xero`,
        });
      else if (cents(hits[0].amount) !== cents(p.amount))
        out.push({
          ...row,
          kind: 'differs',
          field: 'payment',
          store: want,
          xero: text(cents(hits[0].amount)),
          detail: `payment ${p.reference} is ${want} in the store, ${text(cents(hits[0].amount))} in Xero`,
        });
    }
    for (const xp of payments) {
      if (xp.reference !== undefined && expected.has(xp.reference)) continue;
      out.push({
        type: 'payment',
        number: xp.reference ?? '',
        entity: 'order',
        entityId: doc.entityId,
        kind: 'missing-in-store',
        field: 'presence',
        store: null,
        xero: text(cents(xp.amount)),
        detail: `a payment of ${text(cents(xp.amount))} on ${doc.number} in Xero that no store invoice has`,
      });
    }
  }
  if (doc.type === 'creditnote' && doc.settles) {
    const settled = payments.reduce((acc, p) => acc + cents(p.amount), cents(x.allocated ?? 0));
    const toSettle = cents(x.total) - cents(doc.leftOpen ?? 0);
    if (settled !== toSettle)
      out.push({
        kind: 'differs',
        field: 'refund',
        type: 'creditnote',
        number: doc.number,
        entity: 'creditmemo',
        entityId: doc.entityId,
        store: text(cents(doc.total)),
        xero: text(settled),
        detail:
          `refunds and allocations of ${doc.number} add up to ${text(settled)} in Xero, ` +
          `its total is ${text(cents(x.total))}` +
          (doc.leftOpen ? ` of which ${text(cents(doc.leftOpen))} stays open (no tender account)` : ''),
      });
  }
}
