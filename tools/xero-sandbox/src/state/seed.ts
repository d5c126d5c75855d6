/**
 * The chart of accounts and tax rates every new sandbox organisation starts with: a trimmed version of a New
 * Zealand demo company (GST 15%), enough for sales invoices, shipping lines, payments, refunds and rounding.
 */

/** An account a new org is seeded with. */
export interface SeedAccount {
  Code: string;
  Name: string;
  Type: string;
  TaxType: string;
  EnablePaymentsToAccount?: boolean;
  BankAccountNumber?: string;
  SystemAccount?: string;
  /** ARCHIVED: the account stays listed, but Xero refuses it on new documents (default ACTIVE). */
  Status?: 'ACTIVE' | 'ARCHIVED';
}

/** A tax rate a new org is seeded with (`Rate` in percent). */
export interface SeedTaxRate {
  TaxType: string;
  Name: string;
  Rate: number;
  ReportTaxType: string;
  CanApplyToRevenue: boolean;
  CanApplyToExpenses: boolean;
}

export const DEFAULT_ACCOUNTS: readonly SeedAccount[] = [
  { Code: '090', Name: 'Business Bank Account', Type: 'BANK', TaxType: 'NONE', BankAccountNumber: '0102030405060' },
  { Code: '091', Name: 'Payment Gateway Clearing', Type: 'BANK', TaxType: 'NONE', BankAccountNumber: '0102030405061' },
  { Code: '200', Name: 'Sales', Type: 'REVENUE', TaxType: 'OUTPUT2' },
  { Code: '210', Name: 'Shipping Income', Type: 'REVENUE', TaxType: 'OUTPUT2' },
  { Code: '260', Name: 'Other Revenue', Type: 'REVENUE', TaxType: 'OUTPUT2' },
  { Code: '400', Name: 'Advertising', Type: 'EXPENSE', TaxType: 'INPUT2' },
  { Code: '610', Name: 'Accounts Receivable', Type: 'CURRENT', TaxType: 'NONE', SystemAccount: 'DEBTORS' },
  { Code: '800', Name: 'Accounts Payable', Type: 'CURRLIAB', TaxType: 'NONE', SystemAccount: 'CREDITORS' },
  { Code: '820', Name: 'GST', Type: 'CURRLIAB', TaxType: 'NONE', SystemAccount: 'GST' },
  { Code: '860', Name: 'Rounding', Type: 'CURRLIAB', TaxType: 'NONE', SystemAccount: 'ROUNDING' },
];

export const DEFAULT_TAX_RATES: readonly SeedTaxRate[] = [
  {
    TaxType: 'OUTPUT2',
    Name: '15% GST on Income',
    Rate: 15,
    ReportTaxType: 'OUTPUT',
    CanApplyToRevenue: true,
    CanApplyToExpenses: false,
  },
  {
    TaxType: 'INPUT2',
    Name: '15% GST on Expenses',
    Rate: 15,
    ReportTaxType: 'INPUT',
    CanApplyToRevenue: false,
    CanApplyToExpenses: true,
  },
  {
    TaxType: 'ZERORATED',
    Name: 'Zero Rated',
    Rate: 0,
    ReportTaxType: 'OUTPUT',
    CanApplyToRevenue: true,
    CanApplyToExpenses: true,
  },
  {
    TaxType: 'EXEMPTOUTPUT',
    Name: 'Exempt Sales',
    Rate: 0,
    ReportTaxType: 'EXEMPTOUTPUT',
    CanApplyToRevenue: true,
    CanApplyToExpenses: false,
  },
  {
    TaxType: 'NONE',
    Name: 'No GST',
    Rate: 0,
    ReportTaxType: 'NONE',
    CanApplyToRevenue: true,
    CanApplyToExpenses: true,
  },
];

/** Names for the currencies a sandbox org is likely to enable; others fall back to their code. */
export const CURRENCY_NAMES: Record<string, string> = {
  NZD: 'New Zealand Dollar',
  AUD: 'Australian Dollar',
  USD: 'United States Dollar',
  GBP: 'British Pound',
  EUR: 'Euro',
  CAD: 'Canadian Dollar',
  JPY: 'Japanese Yen',
  SGD: 'Singapore Dollar',
  ZAR: 'South African Rand',
};
