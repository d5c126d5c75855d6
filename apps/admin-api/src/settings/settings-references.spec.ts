import { defaultMappingSettings } from '@xero-sync/persistence';
import { unknownReferences } from './settings-references';

const chart = {
  accounts: ['090', '091', '200', '210', '860']
    .map((code) => ({ code, status: 'ACTIVE' }))
    .concat([{ code: '999', status: 'ARCHIVED' }]),
  taxTypes: ['OUTPUT2', 'ZERORATED', 'NONE'].map((taxType) => ({ taxType, status: 'ACTIVE' })),
  currencies: [{ code: 'NZD', description: 'New Zealand Dollar' }],
};

describe('unknownReferences', () => {
  it('accepts the default mapping against the seeded demo chart', () => {
    expect(unknownReferences(defaultMappingSettings(), chart)).toEqual([]);
  });

  it('names every unknown or archived account and tax type by its settings path', () => {
    const mapping = defaultMappingSettings();
    mapping.accounts.sales = '4000';
    mapping.paymentAccounts.checkmo = '999';
    mapping.taxRates[0].taxType = 'GST_ON_SALES';
    mapping.taxClasses = { '2': 'OUTPUT2', '3': 'BOGUS' };
    expect(unknownReferences(mapping, chart).map((p) => p.field)).toEqual([
      'mapping.accounts.sales',
      'mapping.paymentAccounts.checkmo',
      'mapping.taxRates.0.taxType',
      'mapping.taxClasses.3',
    ]);
  });
});
