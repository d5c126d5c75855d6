import { randomUUID } from 'node:crypto';
import { OrgTier } from '../limits/rate-limiter';
import { AccountRec, newTables, OrgRec, TaxRateRec } from './records';
import { DEFAULT_ACCOUNTS, DEFAULT_TAX_RATES, SeedAccount, SeedTaxRate } from './seed';

/** What `POST /__sandbox/orgs` accepts. */
export interface CreateOrgInput {
  tenantId?: string;
  name: string;
  baseCurrency?: string;
  currencies?: string[];
  tier?: OrgTier;
  shortCode?: string;
  countryCode?: string;
  accounts?: SeedAccount[];
  taxRates?: SeedTaxRate[];
}

const CLASS_BY_TYPE: Record<string, AccountRec['Class']> = {
  BANK: 'ASSET',
  CURRENT: 'ASSET',
  FIXED: 'ASSET',
  INVENTORY: 'ASSET',
  NONCURRENT: 'ASSET',
  PREPAYMENT: 'ASSET',
  CURRLIAB: 'LIABILITY',
  LIABILITY: 'LIABILITY',
  TERMLIAB: 'LIABILITY',
  EQUITY: 'EQUITY',
  REVENUE: 'REVENUE',
  SALES: 'REVENUE',
  OTHERINCOME: 'REVENUE',
  EXPENSE: 'EXPENSE',
  DIRECTCOSTS: 'EXPENSE',
  OVERHEADS: 'EXPENSE',
  DEPRECIATN: 'EXPENSE',
};

/** Builds an account record from its seed description. */
export function accountFromSeed(a: SeedAccount, now: number): AccountRec {
  return {
    AccountID: randomUUID(),
    Code: a.Code,
    Name: a.Name,
    Type: a.Type,
    Class: CLASS_BY_TYPE[a.Type] ?? 'ASSET',
    TaxType: a.TaxType,
    EnablePaymentsToAccount: a.EnablePaymentsToAccount ?? false,
    Status: a.Status ?? 'ACTIVE',
    BankAccountNumber: a.BankAccountNumber,
    SystemAccount: a.SystemAccount,
    updatedMs: now,
  };
}

/** Builds a tax-rate record from its seed description. */
export function taxRateFromSeed(t: SeedTaxRate): TaxRateRec {
  return { ...t, Status: 'ACTIVE' };
}

/** Creates an organisation seeded with the default chart of accounts and tax rates plus any extras. */
export function createOrg(input: CreateOrgInput, now: number): OrgRec {
  if (!input.name) throw new Error('name is required');
  const tenantId = input.tenantId ?? randomUUID();
  const org: OrgRec = {
    tenantId,
    name: input.name,
    shortCode: input.shortCode ?? `!${tenantId.replace(/-/g, '').slice(0, 5)}`,
    baseCurrency: (input.baseCurrency ?? 'NZD').toUpperCase(),
    currencies: (input.currencies ?? []).map((c) => c.toUpperCase()),
    tier: input.tier ?? 'standard',
    countryCode: input.countryCode ?? 'NZ',
    createdMs: now,
    ...newTables(),
    seq: { invoice: 0, creditNote: 0 },
  };
  for (const a of [...DEFAULT_ACCOUNTS, ...(input.accounts ?? [])]) {
    const existing = org.accounts.find('code', a.Code.toLowerCase());
    const rec = accountFromSeed(a, now);
    org.accounts.put(existing ? { ...rec, AccountID: existing.AccountID } : rec);
  }
  for (const t of [...DEFAULT_TAX_RATES, ...(input.taxRates ?? [])]) org.taxRates.put(taxRateFromSeed(t));
  return org;
}

/** True when `code` may be used on documents of this org. */
export function currencyEnabled(org: OrgRec, code: string): boolean {
  return code === org.baseCurrency || org.currencies.includes(code);
}
