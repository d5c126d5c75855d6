/**
 * The Xero request bodies this service builds, in Xero's own JSON shape (PascalCase), so dry runs show exactly
 * what is sent. The client adapter converts them to xero-node's models at the last moment.
 */
export interface XeroContactJson {
  ContactID?: string;
  ContactNumber: string;
  Name: string;
  FirstName?: string;
  LastName?: string;
  EmailAddress?: string;
  CompanyNumber?: string;
  TaxNumber?: string;
  DefaultCurrency?: string;
  Addresses?: {
    AddressType: 'POBOX' | 'STREET';
    AddressLine1?: string;
    AddressLine2?: string;
    City?: string;
    Region?: string;
    PostalCode?: string;
    Country?: string;
  }[];
  Phones?: { PhoneType: 'DEFAULT' | 'MOBILE'; PhoneNumber: string }[];
}

export interface XeroItemJson {
  ItemID?: string;
  Code: string;
  Name: string;
  Description?: string;
  IsSold: boolean;
  IsPurchased: boolean;
  SalesDetails: { UnitPrice: number; AccountCode: string; TaxType: string };
}

export interface XeroLineJson {
  Description: string;
  Quantity: number;
  UnitAmount: number;
  AccountCode: string;
  TaxType: string;
  ItemCode?: string;
  DiscountAmount?: number;
  /** The store's own line tax, sent only where Xero's per-line rounding would compute another figure. */
  TaxAmount?: number;
}

export type XeroDocStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'DELETED' | 'VOIDED' | 'PAID';

export interface XeroContactRef {
  ContactID?: string;
  ContactNumber?: string;
}

export interface XeroInvoiceJson {
  InvoiceID?: string;
  Type: 'ACCREC';
  InvoiceNumber: string;
  Reference?: string;
  Contact: XeroContactRef;
  Date: string;
  DueDate: string;
  LineAmountTypes: 'Exclusive' | 'Inclusive' | 'NoTax';
  CurrencyCode: string;
  /** Order currency per unit of the org's base currency (Xero's convention), where the store's rate is used. */
  CurrencyRate?: number;
  Status: XeroDocStatus;
  LineItems: XeroLineJson[];
}

/** Status-only update (void/delete) of an existing invoice. */
export interface XeroInvoiceStatusJson {
  InvoiceID: string;
  InvoiceNumber?: string;
  Status: 'VOIDED' | 'DELETED';
}

export interface XeroCreditNoteJson {
  CreditNoteID?: string;
  Type: 'ACCRECCREDIT';
  CreditNoteNumber: string;
  Reference?: string;
  Contact: XeroContactRef;
  Date: string;
  LineAmountTypes: 'Exclusive' | 'Inclusive' | 'NoTax';
  CurrencyCode: string;
  CurrencyRate?: number;
  Status: 'AUTHORISED';
  LineItems: XeroLineJson[];
}

export interface XeroPaymentJson {
  Invoice?: { InvoiceID: string };
  CreditNote?: { CreditNoteID: string };
  Account: { Code: string };
  Date: string;
  Amount: number;
  Reference: string;
}

export interface XeroAllocationJson {
  Invoice: { InvoiceID: string };
  Amount: number;
  Date: string;
}

/** Totals of a mapped document, as Xero will compute them, next to the store's own total. */
export interface MappedTotals {
  subTotal: number;
  totalTax: number;
  total: number;
  storeTotal: number;
  /** The store's own tax on the document, where it states it. */
  storeTax?: number;
  /** Amount of the rounding line (0 when none was needed). */
  roundingAdjustment: number;
}
