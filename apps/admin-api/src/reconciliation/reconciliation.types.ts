/** The shapes reconciliation compares and answers with (store side, Xero side, differences, totals). */

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
  /** The store's local day of the document (YYYY-MM-DD), compared with Xero's Date when known. */
  date?: string;
  /** The store's base currency and the document's total in it, when the store states them. */
  baseCurrency?: string;
  baseTotal?: number;
  /** Invoice: the captured store invoices Xero must hold as payments on it (Reference = store invoice number). */
  payments?: StorePayment[];
  /** Credit note: whether its refund and allocations must add up to its total (its payment method is mapped). */
  settles?: boolean;
  /** Credit note: what stays open on it (gift-card or store-credit refunds whose tender has no account). */
  leftOpen?: number;
}

/** A store invoice (captured payment) of an order. */
export interface StorePayment {
  /** The store invoice's number, which Xero's payment carries as Reference. */
  reference: string;
  /** The store invoice's entity id (for Sync Now). */
  entityId: string;
  amount: number;
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
  /** Xero's Date (YYYY-MM-DD). */
  date?: string;
  /** Order currency per unit of the org's base currency, as Xero keeps it. */
  currencyRate?: number;
  /** Payments on the document (an invoice's payments, a credit note's cash refunds). */
  payments?: { reference?: string; amount: number }[];
  /** Credit note: what its allocations to invoices add up to. */
  allocated?: number;
}

export type DifferenceKind = 'missing-in-xero' | 'missing-in-store' | 'doubled' | 'differs';
export type DifferenceField = 'presence' | 'status' | 'total' | 'tax' | 'date' | 'currency' | 'payment' | 'refund';

/**
 * One difference between the store and Xero: the document, the field, both figures (text: money to 2 dp, days,
 * currency codes; null where a side has none) and the store record Sync Now re-sends (entity and entity id).
 */
export interface ReconciliationDifference {
  kind: DifferenceKind;
  field: DifferenceField;
  type: 'invoice' | 'creditnote' | 'payment';
  number: string;
  entity: 'order' | 'creditmemo' | 'invoice';
  entityId: string;
  store: string | null;
  xero: string | null;
  detail: string;
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
  /** The same documents in the store's base currency, where every one of them states its base total. */
  baseCurrency?: string;
  storeBaseTotal?: number;
  /** Xero's totals converted at each document's CurrencyRate (1 for base-currency documents), where known. */
  xeroBaseTotal?: number;
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
  differences: ReconciliationDifference[];
}

export interface ReconcileOptions {
  /** The store entity id of a document found in Xero but not among the store's documents, where known. */
  entityOf?: (type: 'invoice' | 'creditnote', number: string) => string | undefined;
}
