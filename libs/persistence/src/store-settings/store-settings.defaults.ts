import type { EntityName } from '@xero-sync/contracts';

export type SyncMode = 'immediate' | 'cron';
export type XeroInvoiceStatusRule = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED';

/** How store entities map onto a Xero org's chart of accounts, tax rates and numbering. */
export interface XeroMappingSettings {
  accounts: {
    /** Revenue account for product lines. */
    sales: string;
    shipping: string;
    /** Cent differences between Xero's per-line rounding and the store total. */
    rounding: string;
    /** Credit-memo adjustment refunds/fees. */
    adjustments: string;
  };
  /**
   * Store tax rates → Xero TaxType, e.g. { percent: 15, taxType: 'OUTPUT2' }. `code` names the Magento tax rate
   * (several rates applied together: their codes joined with " + "); a line whose applied rates have a code entry
   * takes that entry, others are matched by percent.
   */
  taxRates: { percent: number; taxType: string; code?: string }[];
  /** Store tax class id → Xero TaxType; wins over the percent mapping for products that have one. */
  taxClasses: Record<string, string>;
  /** Tax type of rounding and adjustment lines (no tax). */
  noTaxType: string;
  /** Payment method code → bank/clearing account code; null = leave the invoice due (e.g. purchase orders). */
  paymentAccounts: Record<string, string | null>;
  defaultPaymentAccount: string | null;
  /**
   * Accounts that gift cards and store credit are paid from (and refunded to): the store's liability for them,
   * an account with payments enabled. Null leaves that part of an invoice due and of a credit note open.
   */
  tenderAccounts: { giftCards: string | null; storeCredit: string | null };
  /** Xero's LineAmountTypes for this store: how its catalog prices are entered (store tax display). */
  lineAmountTypes: 'Exclusive' | 'Inclusive';
  /** Magento order state → Xero invoice status (canceled is handled by void/delete). */
  statusRules: Record<string, XeroInvoiceStatusRule>;
  prefixes: { contact: string; invoice: string; creditNote: string };
  /** Days from order date to invoice due date. */
  dueDays: number;
  /** Post a rounding line when Xero's per-line rounding misses the store total. */
  roundingLine: boolean;
  /** Largest residue (per document, in its currency) a rounding line may carry; a larger gap fails the record. */
  roundingCap: number;
  /** The store's time zone (IANA name): documents are dated on the store's local day. */
  timeZone: string;
  /**
   * Exchange rate of documents in another currency than the store's base: 'store' sends the store's own rate
   * (base_to_order_rate: order currency per unit of base, Xero's convention when the store's base currency is the
   * org's); 'xero' lets Xero apply its daily rate.
   */
  exchangeRates: 'store' | 'xero';
}

/** Per-store sync settings (collection store_settings). */
export interface StoreSettings {
  storeId: string;
  xeroTenantId?: string;
  mode: SyncMode;
  cronIntervalMinutes: number;
  entitiesEnabled: EntityName[];
  /**
   * How long a record may wait on another one (its order, contact, store invoice) before it is failed with what it
   * waits for, so nothing waits forever in silence; Sync Now retries it.
   */
  waitHorizonMinutes: number;
  mapping: XeroMappingSettings;
  updatedBy?: string;
  updatedAt?: Date;
}

/** Defaults for a store that has no saved settings (a NZ org with Xero's demo chart of accounts). */
export function defaultMappingSettings(): XeroMappingSettings {
  return {
    accounts: { sales: '200', shipping: '210', rounding: '860', adjustments: '200' },
    taxRates: [
      { percent: 15, taxType: 'OUTPUT2' },
      { percent: 0, taxType: 'ZERORATED' },
    ],
    taxClasses: {},
    noTaxType: 'NONE',
    paymentAccounts: { checkmo: '090', banktransfer: '090', cashondelivery: '090', purchaseorder: null },
    defaultPaymentAccount: '091',
    tenderAccounts: { giftCards: null, storeCredit: null },
    lineAmountTypes: 'Exclusive',
    statusRules: {
      new: 'DRAFT',
      pending_payment: 'DRAFT',
      payment_review: 'SUBMITTED',
      holded: 'SUBMITTED',
      processing: 'AUTHORISED',
      complete: 'AUTHORISED',
      closed: 'AUTHORISED',
    },
    prefixes: { contact: 'MC-', invoice: 'MI-', creditNote: 'MCN-' },
    dueDays: 14,
    roundingLine: true,
    roundingCap: 0.05,
    timeZone: 'UTC',
    exchangeRates: 'store',
  };
}

export function defaultStoreSettings(storeId: string): StoreSettings {
  return {
    storeId,
    mode: 'immediate',
    cronIntervalMinutes: 15,
    waitHorizonMinutes: 60,
    entitiesEnabled: ['customer', 'product', 'order', 'invoice', 'creditmemo'],
    mapping: defaultMappingSettings(),
  };
}
