import { AccountingHandler } from './context';
import { envelope, msDate } from './xero-format';

const get: AccountingHandler = (req) => {
  const o = req.org;
  return {
    status: 200,
    body: envelope(req.providerName, req.now, {
      Organisations: [
        {
          OrganisationID: o.tenantId,
          APIKey: '',
          Name: o.name,
          LegalName: o.name,
          PaysTax: true,
          Version: o.countryCode === 'AU' || o.countryCode === 'UK' || o.countryCode === 'US' ? o.countryCode : 'NZ',
          OrganisationType: 'COMPANY',
          BaseCurrency: o.baseCurrency,
          CountryCode: o.countryCode,
          IsDemoCompany: false,
          OrganisationStatus: 'ACTIVE',
          FinancialYearEndDay: 31,
          FinancialYearEndMonth: 3,
          SalesTaxBasis: 'INVOICE',
          SalesTaxPeriod: 'TWOMONTHS',
          DefaultSalesTax: 'Tax Exclusive',
          DefaultPurchasesTax: 'Tax Exclusive',
          CreatedDateUTC: msDate(o.createdMs),
          OrganisationEntityType: 'COMPANY',
          Timezone: 'NEWZEALANDSTANDARDTIME',
          ShortCode: o.shortCode,
          Class: o.tier === 'starter' ? 'STARTER' : 'STANDARD',
          Edition: 'BUSINESS',
          Addresses: [],
          Phones: [],
          ExternalLinks: [],
          PaymentTerms: {},
        },
      ],
    }),
  };
};

/** Routes for /Organisation. */
export const organisationHandlers = { get };
