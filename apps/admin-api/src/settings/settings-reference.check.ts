import { Injectable } from '@nestjs/common';
import type { XeroMappingSettings } from '@xero-sync/persistence';
import { XeroReadService } from '@xero-sync/xero';
import { AdminError } from '../http/admin.errors';
import { OrgChart, unknownReferences } from './settings-references';

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Checks settings against the org's real chart of accounts and tax rates, read from Xero within its budget. */
@Injectable()
export class SettingsReferenceCheck {
  constructor(private readonly xero: XeroReadService) {}

  /** Forgets the org's cached accounts, tax rates and currencies (the settings page's refresh button). */
  refresh(tenantId: string): void {
    this.xero.refreshChart(tenantId);
  }

  /** The org's accounts, tax rates and currencies, cached per process (Xero errors surface as XeroError → mapped by the filter). */
  async chartOf(tenantId: string): Promise<OrgChart> {
    const [accounts, taxRates, currencies] = await Promise.all([
      this.xero.accounts(tenantId),
      this.xero.taxRates(tenantId),
      this.xero.currencies(tenantId),
    ]);
    return {
      accounts: accounts
        .map((a) => ({ code: text(a.Code), status: text(a.Status), name: text(a.Name), type: text(a.Type) }))
        .filter((a) => a.code !== ''),
      taxTypes: taxRates.map((t) => ({
        taxType: text(t.TaxType),
        status: text(t.Status),
        name: text(t.Name),
        rate: typeof t.EffectiveRate === 'number' ? t.EffectiveRate : undefined,
      })),
      currencies: currencies
        .map((c) => ({ code: text(c.Code), description: text(c.Description) }))
        .filter((c) => c.code !== ''),
    };
  }

  /** @throws AdminError UNPROCESSABLE (422) naming each setting whose account or tax type the org lacks. */
  async verify(tenantId: string, mapping: XeroMappingSettings): Promise<void> {
    const problems = unknownReferences(mapping, await this.chartOf(tenantId));
    if (problems.length > 0) {
      throw new AdminError('UNPROCESSABLE', 'settings name accounts or tax types the Xero org does not have', problems);
    }
  }
}
