import type { XeroMappingSettings } from '@xero-sync/persistence';
import type { FieldProblem } from '../http/validation';

/** What an org offers that settings may name: its account codes and tax types (with Xero's status). */
export interface OrgChart {
  accounts: { code: string; status: string; name?: string; type?: string }[];
  taxTypes: { taxType: string; status: string; name?: string; rate?: number }[];
  /** Currencies the org can invoice in (documents in any other currency are refused by Xero). */
  currencies: { code: string; description?: string }[];
}

/**
 * Every account code and tax type in `mapping` that the org does not have (or has archived/deleted), as field
 * problems with the dotted path of the setting, e.g. `mapping.accounts.sales`.
 */
export function unknownReferences(mapping: XeroMappingSettings, chart: OrgChart): FieldProblem[] {
  const accounts = new Set(chart.accounts.filter((a) => a.status === 'ACTIVE').map((a) => a.code));
  const taxTypes = new Set(chart.taxTypes.filter((t) => t.status === 'ACTIVE').map((t) => t.taxType));
  const problems: FieldProblem[] = [];
  const account = (field: string, code: string | null | undefined) => {
    if (code && !accounts.has(code))
      problems.push({ field, reason: `account ${code} does not exist or is not active in the Xero org` });
  };
  const tax = (field: string, type: string) => {
    if (!taxTypes.has(type))
      problems.push({ field, reason: `tax type ${type} does not exist or is not active in the Xero org` });
  };
  for (const [key, code] of Object.entries(mapping.accounts)) account(`mapping.accounts.${key}`, code);
  for (const [key, code] of Object.entries(mapping.paymentAccounts)) account(`mapping.paymentAccounts.${key}`, code);
  account('mapping.defaultPaymentAccount', mapping.defaultPaymentAccount);
  for (const [key, code] of Object.entries(mapping.tenderAccounts)) account(`mapping.tenderAccounts.${key}`, code);
  mapping.taxRates.forEach((r, i) => tax(`mapping.taxRates.${i}.taxType`, r.taxType));
  for (const [key, type] of Object.entries(mapping.taxClasses)) tax(`mapping.taxClasses.${key}`, type);
  tax('mapping.noTaxType', mapping.noTaxType);
  return problems;
}
