import { DocStatus } from '../rules/status';
import { LineAmountType } from '../rules/totals';
import { OrgTier } from '../limits/rate-limiter';
import { Table } from './table';

/** Free-form Xero JSON carried through unchanged (addresses, phones, tracking, …). */
export type Json = Record<string, unknown>;

/** A chart-of-accounts entry as Xero describes it. */
export interface AccountRec {
  AccountID: string;
  Code: string;
  Name: string;
  Type: string;
  Class: 'ASSET' | 'EQUITY' | 'EXPENSE' | 'LIABILITY' | 'REVENUE';
  TaxType: string;
  EnablePaymentsToAccount: boolean;
  Status: 'ACTIVE' | 'ARCHIVED';
  BankAccountNumber?: string;
  SystemAccount?: string;
  updatedMs: number;
}

/** A tax rate; `Rate` is the percentage (15 = 15%). */
export interface TaxRateRec {
  TaxType: string;
  Name: string;
  Rate: number;
  ReportTaxType: string;
  CanApplyToRevenue: boolean;
  CanApplyToExpenses: boolean;
  Status: 'ACTIVE';
}

export interface ContactRec {
  ContactID: string;
  Name: string;
  ContactStatus: 'ACTIVE' | 'ARCHIVED' | 'GDPRREQUEST';
  ContactNumber?: string;
  /** Derived by Xero (a sales invoice exists for the contact); never settable. */
  IsCustomer: boolean;
  /** Every other writable field the client sent, kept verbatim (FirstName, EmailAddress, Addresses, …). */
  fields: Json;
  updatedMs: number;
}

export interface ItemRec {
  ItemID: string;
  Code: string;
  fields: Json;
  updatedMs: number;
}

export interface LineRec {
  LineItemID: string;
  Description?: string;
  Quantity: number;
  UnitAmount: number;
  ItemCode?: string;
  AccountCode?: string;
  TaxType: string;
  TaxAmount: number;
  LineAmount: number;
  DiscountRate?: number;
  DiscountAmount?: number;
  Tracking?: Json[];
}

/** Fields invoices and credit notes share. */
export interface DocRec {
  Type: string;
  ContactID: string;
  Reference?: string;
  /** YYYY-MM-DD. */
  Date: string;
  DueDate?: string;
  LineAmountTypes: LineAmountType;
  CurrencyCode: string;
  CurrencyRate: number;
  Status: DocStatus;
  LineItems: LineRec[];
  SubTotal: number;
  TotalTax: number;
  Total: number;
  TotalDiscount: number;
  FullyPaidOnDate?: string;
  BrandingThemeID?: string;
  Url?: string;
  SentToContact?: boolean;
  updatedMs: number;
}

export interface InvoiceRec extends DocRec {
  InvoiceID: string;
  InvoiceNumber: string;
  AmountDue: number;
  AmountPaid: number;
  AmountCredited: number;
}

export interface CreditNoteRec extends DocRec {
  CreditNoteID: string;
  CreditNoteNumber: string;
  RemainingCredit: number;
  /** Refunds paid out against the credit note. */
  AmountPaid: number;
  /** Allocated to invoices. */
  AmountAllocated: number;
}

export interface PaymentRec {
  PaymentID: string;
  InvoiceID?: string;
  CreditNoteID?: string;
  AccountID: string;
  Date: string;
  Amount: number;
  CurrencyRate: number;
  Reference?: string;
  IsReconciled: boolean;
  Status: 'AUTHORISED' | 'DELETED';
  PaymentType: 'ACCRECPAYMENT' | 'ACCPAYPAYMENT' | 'ARCREDITPAYMENT' | 'APCREDITPAYMENT';
  updatedMs: number;
}

export interface AllocationRec {
  AllocationID: string;
  CreditNoteID: string;
  InvoiceID: string;
  Amount: number;
  Date: string;
  IsDeleted: boolean;
  updatedMs: number;
}

/** One Xero organisation (tenant) and everything in it. */
export interface OrgRec {
  tenantId: string;
  name: string;
  shortCode: string;
  baseCurrency: string;
  /** Foreign currencies enabled for the org (the base currency is always allowed). */
  currencies: string[];
  tier: OrgTier;
  countryCode: string;
  createdMs: number;
  accounts: Table<AccountRec>;
  taxRates: Table<TaxRateRec>;
  contacts: Table<ContactRec>;
  items: Table<ItemRec>;
  invoices: Table<InvoiceRec>;
  creditNotes: Table<CreditNoteRec>;
  payments: Table<PaymentRec>;
  allocations: Table<AllocationRec>;
  seq: { invoice: number; creditNote: number };
}

/** Normalises a key the way Xero compares names and codes: trimmed, case-insensitive. */
export function norm(s: string | undefined): string | undefined {
  return s === undefined || s === null ? undefined : String(s).trim().toLowerCase();
}

/** Builds the empty tables of an organisation with the unique indexes Xero enforces. */
export function newTables(): Pick<
  OrgRec,
  'accounts' | 'taxRates' | 'contacts' | 'items' | 'invoices' | 'creditNotes' | 'payments' | 'allocations'
> {
  return {
    accounts: new Table<AccountRec>((a) => a.AccountID, { code: (a) => norm(a.Code) }),
    taxRates: new Table<TaxRateRec>((t) => t.TaxType, {}),
    // Names must be unique among ACTIVE contacts only; ContactNumber among all.
    contacts: new Table<ContactRec>((c) => c.ContactID, {
      name: (c) => (c.ContactStatus === 'ACTIVE' ? norm(c.Name) : undefined),
      number: (c) => norm(c.ContactNumber),
    }),
    items: new Table<ItemRec>((i) => i.ItemID, { code: (i) => norm(i.Code) }),
    // Numbers stay reserved after DELETED/VOIDED: the index covers every status.
    invoices: new Table<InvoiceRec>((i) => i.InvoiceID, {
      number: (i) => (i.Type === 'ACCREC' ? norm(i.InvoiceNumber) : undefined),
    }),
    creditNotes: new Table<CreditNoteRec>((c) => c.CreditNoteID, {
      number: (c) => (c.Type === 'ACCRECCREDIT' ? norm(c.CreditNoteNumber) : undefined),
    }),
    payments: new Table<PaymentRec>((p) => p.PaymentID, {}),
    allocations: new Table<AllocationRec>((a) => a.AllocationID, {}),
  };
}
