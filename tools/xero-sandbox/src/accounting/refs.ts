import { AccountRec, norm, OrgRec, TaxRateRec } from '../state/records';
import { Problems } from './context';

/** Xero's message for an AccountCode the org does not have (or cannot use on this document). */
export function accountMessage(code: string): string {
  return `Account code '${code}' is not a valid code for this document.`;
}

/** Xero's message for an unknown TaxType. */
export function taxTypeMessage(taxType: string): string {
  return `The TaxType code '${taxType}' does not exist or cannot be used for this type of transaction.`;
}

/** Looks up an active account by code, noting a problem when it does not exist. */
export function accountByCode(org: OrgRec, code: string | undefined, p: Problems): AccountRec | undefined {
  if (code === undefined || code === '') return undefined;
  const a = org.accounts.find('code', norm(code));
  if (!a || a.Status !== 'ACTIVE') {
    p.add(accountMessage(code));
    return undefined;
  }
  return a;
}

/** Looks up a tax rate by TaxType, noting a problem when it does not exist. */
export function taxRateByType(org: OrgRec, taxType: string | undefined, p: Problems): TaxRateRec | undefined {
  if (taxType === undefined || taxType === '') return undefined;
  const t = org.taxRates.get(taxType.toUpperCase());
  if (!t) p.add(taxTypeMessage(taxType));
  return t;
}
