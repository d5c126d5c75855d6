import {
  AccountRec,
  AllocationRec,
  ContactRec,
  CreditNoteRec,
  InvoiceRec,
  ItemRec,
  Json,
  LineRec,
  OrgRec,
  PaymentRec,
  TaxRateRec,
} from '../state/records';
import { dayString, msDate, msDay } from './xero-format';

/**
 * Turns stored records into the JSON Xero returns: PascalCase fields, MS dates with `…String` companions where
 * Xero has them, and the nested summaries (Contact on an invoice, Invoice on a payment) Xero embeds.
 */

export function renderContact(c: ContactRec): Json {
  return {
    ContactID: c.ContactID,
    ...(c.ContactNumber !== undefined ? { ContactNumber: c.ContactNumber } : {}),
    ContactStatus: c.ContactStatus,
    Name: c.Name,
    ...c.fields,
    UpdatedDateUTC: msDate(c.updatedMs),
    IsSupplier: false,
    IsCustomer: c.IsCustomer,
    HasAttachments: false,
    HasValidationErrors: false,
  };
}

/** The short contact Xero nests in documents. */
export function contactSummary(org: OrgRec, contactId: string): Json {
  const c = org.contacts.get(contactId);
  if (!c) return { ContactID: contactId };
  return {
    ContactID: c.ContactID,
    ...(c.ContactNumber !== undefined ? { ContactNumber: c.ContactNumber } : {}),
    Name: c.Name,
    ContactStatus: c.ContactStatus,
    ...(c.fields.EmailAddress !== undefined ? { EmailAddress: c.fields.EmailAddress } : {}),
    HasValidationErrors: false,
  };
}

export function renderItem(i: ItemRec): Json {
  return {
    ItemID: i.ItemID,
    Code: i.Code,
    IsSold: true,
    IsPurchased: true,
    IsTrackedAsInventory: false,
    ...i.fields,
    UpdatedDateUTC: msDate(i.updatedMs),
  };
}

function renderLine(org: OrgRec, l: LineRec): Json {
  const item = l.ItemCode ? org.items.find('code', l.ItemCode.toLowerCase()) : undefined;
  return {
    LineItemID: l.LineItemID,
    ...(l.Description !== undefined ? { Description: l.Description } : {}),
    Quantity: l.Quantity,
    UnitAmount: l.UnitAmount,
    ...(l.ItemCode !== undefined ? { ItemCode: l.ItemCode } : {}),
    ...(item ? { Item: { ItemID: item.ItemID, Code: item.Code, Name: item.fields.Name } } : {}),
    ...(l.AccountCode !== undefined ? { AccountCode: l.AccountCode } : {}),
    TaxType: l.TaxType,
    TaxAmount: l.TaxAmount,
    LineAmount: l.LineAmount,
    ...(l.DiscountRate !== undefined ? { DiscountRate: l.DiscountRate } : {}),
    ...(l.DiscountAmount !== undefined ? { DiscountAmount: l.DiscountAmount } : {}),
    Tracking: l.Tracking ?? [],
  };
}

function dayFields(name: string, day: string | undefined): Json {
  return day === undefined ? {} : { [name]: msDay(day), [`${name}String`]: dayString(day) };
}

function paymentSummary(p: PaymentRec): Json {
  return {
    PaymentID: p.PaymentID,
    Date: msDay(p.Date),
    Amount: p.Amount,
    ...(p.Reference !== undefined ? { Reference: p.Reference } : {}),
    CurrencyRate: p.CurrencyRate,
    HasAccount: false,
    HasValidationErrors: false,
  };
}

/** Options that change how much of a document Xero returns. */
export interface RenderOptions {
  /** Xero leaves line items out of unpaged invoice and credit-note lists. */
  lines: boolean;
}

export function renderInvoice(org: OrgRec, i: InvoiceRec, opts: RenderOptions = { lines: true }): Json {
  const payments = org.payments.all().filter((p) => p.InvoiceID === i.InvoiceID && p.Status === 'AUTHORISED');
  const allocations = org.allocations.all().filter((a) => a.InvoiceID === i.InvoiceID && !a.IsDeleted);
  return {
    Type: i.Type,
    InvoiceID: i.InvoiceID,
    InvoiceNumber: i.InvoiceNumber,
    ...(i.Reference !== undefined ? { Reference: i.Reference } : {}),
    Contact: contactSummary(org, i.ContactID),
    ...dayFields('Date', i.Date),
    ...dayFields('DueDate', i.DueDate),
    Status: i.Status,
    LineAmountTypes: i.LineAmountTypes,
    ...(opts.lines ? { LineItems: i.LineItems.map((l) => renderLine(org, l)) } : {}),
    SubTotal: i.SubTotal,
    TotalTax: i.TotalTax,
    Total: i.Total,
    TotalDiscount: i.TotalDiscount,
    UpdatedDateUTC: msDate(i.updatedMs),
    CurrencyCode: i.CurrencyCode,
    CurrencyRate: i.CurrencyRate,
    AmountDue: i.AmountDue,
    AmountPaid: i.AmountPaid,
    AmountCredited: i.AmountCredited,
    ...(i.FullyPaidOnDate ? { FullyPaidOnDate: msDay(i.FullyPaidOnDate) } : {}),
    ...(i.Url !== undefined ? { Url: i.Url } : {}),
    ...(i.BrandingThemeID !== undefined ? { BrandingThemeID: i.BrandingThemeID } : {}),
    SentToContact: i.SentToContact ?? false,
    IsDiscounted: i.TotalDiscount > 0,
    HasAttachments: false,
    HasErrors: false,
    Payments: payments.map(paymentSummary),
    CreditNotes: allocations.map((a) => {
      const cn = org.creditNotes.get(a.CreditNoteID);
      return {
        CreditNoteID: a.CreditNoteID,
        CreditNoteNumber: cn?.CreditNoteNumber,
        AppliedAmount: a.Amount,
        Total: cn?.Total,
        ...dayFields('Date', a.Date),
      };
    }),
    Prepayments: [],
    Overpayments: [],
  };
}

export function renderCreditNote(org: OrgRec, c: CreditNoteRec, opts: RenderOptions = { lines: true }): Json {
  const payments = org.payments.all().filter((p) => p.CreditNoteID === c.CreditNoteID && p.Status === 'AUTHORISED');
  const allocations = org.allocations.all().filter((a) => a.CreditNoteID === c.CreditNoteID && !a.IsDeleted);
  return {
    Type: c.Type,
    CreditNoteID: c.CreditNoteID,
    CreditNoteNumber: c.CreditNoteNumber,
    ...(c.Reference !== undefined ? { Reference: c.Reference } : {}),
    Contact: contactSummary(org, c.ContactID),
    ...dayFields('Date', c.Date),
    ...dayFields('DueDate', c.DueDate),
    Status: c.Status,
    LineAmountTypes: c.LineAmountTypes,
    ...(opts.lines ? { LineItems: c.LineItems.map((l) => renderLine(org, l)) } : {}),
    SubTotal: c.SubTotal,
    TotalTax: c.TotalTax,
    Total: c.Total,
    UpdatedDateUTC: msDate(c.updatedMs),
    CurrencyCode: c.CurrencyCode,
    CurrencyRate: c.CurrencyRate,
    RemainingCredit: c.RemainingCredit,
    ...(c.FullyPaidOnDate ? { FullyPaidOnDate: msDay(c.FullyPaidOnDate) } : {}),
    SentToContact: false,
    HasAttachments: false,
    HasErrors: false,
    Allocations: allocations.map((a) => renderAllocation(org, a, false)),
    Payments: payments.map(paymentSummary),
  };
}

export function renderPayment(org: OrgRec, p: PaymentRec): Json {
  const account = org.accounts.get(p.AccountID);
  const inv = p.InvoiceID ? org.invoices.get(p.InvoiceID) : undefined;
  const cn = p.CreditNoteID ? org.creditNotes.get(p.CreditNoteID) : undefined;
  return {
    PaymentID: p.PaymentID,
    Date: msDay(p.Date),
    BankAmount: p.Amount,
    Amount: p.Amount,
    ...(p.Reference !== undefined ? { Reference: p.Reference } : {}),
    CurrencyRate: p.CurrencyRate,
    PaymentType: p.PaymentType,
    Status: p.Status,
    UpdatedDateUTC: msDate(p.updatedMs),
    HasAccount: true,
    IsReconciled: p.IsReconciled,
    Account: account
      ? { AccountID: account.AccountID, Code: account.Code, Name: account.Name }
      : { AccountID: p.AccountID },
    ...(inv
      ? {
          Invoice: {
            Type: inv.Type,
            InvoiceID: inv.InvoiceID,
            InvoiceNumber: inv.InvoiceNumber,
            Contact: contactSummary(org, inv.ContactID),
            CurrencyCode: inv.CurrencyCode,
          },
        }
      : {}),
    ...(cn
      ? {
          CreditNote: {
            Type: cn.Type,
            CreditNoteID: cn.CreditNoteID,
            CreditNoteNumber: cn.CreditNoteNumber,
            Contact: contactSummary(org, cn.ContactID),
            CurrencyCode: cn.CurrencyCode,
          },
        }
      : {}),
    HasValidationErrors: false,
  };
}

export function renderAllocation(org: OrgRec, a: AllocationRec, withCreditNote = true): Json {
  const inv = org.invoices.get(a.InvoiceID);
  const cn = org.creditNotes.get(a.CreditNoteID);
  return {
    AllocationID: a.AllocationID,
    Amount: a.Amount,
    Date: msDay(a.Date),
    Invoice: {
      InvoiceID: a.InvoiceID,
      InvoiceNumber: inv?.InvoiceNumber,
      Type: inv?.Type,
      HasErrors: false,
    },
    ...(withCreditNote
      ? { CreditNote: { CreditNoteID: a.CreditNoteID, CreditNoteNumber: cn?.CreditNoteNumber, Type: cn?.Type } }
      : {}),
    IsDeleted: a.IsDeleted,
  };
}

export function renderAccount(a: AccountRec): Json {
  return {
    AccountID: a.AccountID,
    Code: a.Code,
    Name: a.Name,
    Status: a.Status,
    Type: a.Type,
    TaxType: a.TaxType,
    Class: a.Class,
    ...(a.SystemAccount ? { SystemAccount: a.SystemAccount } : {}),
    EnablePaymentsToAccount: a.EnablePaymentsToAccount,
    ShowInExpenseClaims: false,
    ...(a.Type === 'BANK' ? { BankAccountNumber: a.BankAccountNumber ?? '', BankAccountType: 'BANK' } : {}),
    ReportingCode: a.Class === 'REVENUE' ? 'REV' : a.Class === 'EXPENSE' ? 'EXP' : a.Class.slice(0, 3),
    HasAttachments: false,
    UpdatedDateUTC: msDate(a.updatedMs),
    AddToWatchlist: false,
  };
}

export function renderTaxRate(t: TaxRateRec): Json {
  return {
    Name: t.Name,
    TaxType: t.TaxType,
    ReportTaxType: t.ReportTaxType,
    CanApplyToAssets: t.CanApplyToExpenses,
    CanApplyToEquity: t.CanApplyToExpenses,
    CanApplyToExpenses: t.CanApplyToExpenses,
    CanApplyToLiabilities: t.CanApplyToExpenses,
    CanApplyToRevenue: t.CanApplyToRevenue,
    DisplayTaxRate: t.Rate,
    EffectiveRate: t.Rate,
    Status: t.Status,
    TaxComponents: [{ Name: 'GST', Rate: t.Rate, IsCompound: false, IsNonRecoverable: false }],
  };
}
