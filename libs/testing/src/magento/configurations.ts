import type { DiscountRule, MagentoTaxSettings, TaxRate } from './magento.types';

/** A store set-up the corpus runs orders through: Magento tax settings and the cart rules its orders may carry. */
export interface StoreConfiguration {
  name: string;
  currency: string;
  settings: MagentoTaxSettings;
  rules: DiscountRule[];
  /** Flat-rate shipping prices offered (as configured: incl. tax when shipping prices include tax). */
  shippingPrices: number[];
}

const CA: TaxRate[] = [{ code: 'US-CA-*-Rate 1', title: 'US-CA-*-Rate 1', percent: 8.25, priority: 0 }];
const NY: TaxRate[] = [
  { code: 'US-NY-STATE', title: 'New York State', percent: 4, priority: 0 },
  { code: 'US-NY-NYC', title: 'New York City', percent: 4.875, priority: 0 },
];
const QC: TaxRate[] = [
  { code: 'CA-GST', title: 'GST', percent: 5, priority: 0 },
  { code: 'CA-QC-QST', title: 'QST', percent: 9.975, priority: 1 },
];
const NZ: TaxRate[] = [{ code: 'NZ-GST', title: 'GST', percent: 15, priority: 0 }];
const AU: TaxRate[] = [{ code: 'AU-GST', title: 'GST', percent: 10, priority: 0 }];

const PERCENT: DiscountRule[] = [
  { type: 'by_percent', amount: 10, label: '10% off' },
  { type: 'by_percent', amount: 15, applyToShipping: true, label: '15% off incl. shipping' },
  { type: 'by_percent', amount: 33, label: 'A third off' },
];
const FIXED: DiscountRule[] = [
  { type: 'by_fixed', amount: 1.5, label: '1.50 off each' },
  { type: 'cart_fixed', amount: 7.77, label: '7.77 off the cart' },
  { type: 'cart_fixed', amount: 20, label: '20 off the cart' },
];

const exclusive = (over: Partial<MagentoTaxSettings>): MagentoTaxSettings => ({
  calculationMethod: 'total',
  pricesIncludeTax: false,
  shippingIncludesTax: false,
  applyTaxAfterDiscount: true,
  discountIncludesTax: false,
  rates: CA,
  shippingTaxable: false,
  ...over,
});
const inclusive = (over: Partial<MagentoTaxSettings>): MagentoTaxSettings => ({
  calculationMethod: 'total',
  pricesIncludeTax: true,
  shippingIncludesTax: true,
  applyTaxAfterDiscount: true,
  discountIncludesTax: true,
  rates: NZ,
  shippingTaxable: true,
  ...over,
});

/**
 * Every configuration the corpus covers. Each names the Magento 2.4 arithmetic it exercises; all of them also mix
 * simple, virtual, downloadable, configurable and bundle (dynamic and fixed price) products, taxable, zero-rated
 * and exempt classes, store credit and gift cards, and partial invoices and refunds.
 */
export const STORE_CONFIGURATIONS: readonly StoreConfiguration[] = [
  {
    name: 'us-excl-total',
    currency: 'USD',
    settings: exclusive({ calculationMethod: 'total' }),
    rules: [...PERCENT, ...FIXED],
    shippingPrices: [5, 7.95],
  },
  {
    name: 'us-excl-row',
    currency: 'USD',
    settings: exclusive({ calculationMethod: 'row', shippingTaxable: true }),
    rules: [...PERCENT, ...FIXED],
    shippingPrices: [5, 9.99],
  },
  {
    name: 'us-excl-unit',
    currency: 'USD',
    settings: exclusive({ calculationMethod: 'unit' }),
    rules: [...PERCENT, ...FIXED],
    shippingPrices: [4.99],
  },
  {
    name: 'us-tax-before-discount',
    currency: 'USD',
    settings: exclusive({ applyTaxAfterDiscount: false, shippingTaxable: true }),
    rules: [...PERCENT, ...FIXED],
    shippingPrices: [6.5],
  },
  {
    name: 'us-two-rates',
    currency: 'USD',
    settings: exclusive({ rates: NY, shippingTaxable: true }),
    rules: [...PERCENT, ...FIXED],
    shippingPrices: [8.99],
  },
  {
    name: 'ca-compound',
    currency: 'CAD',
    settings: exclusive({ rates: QC, shippingTaxable: true }),
    rules: [...PERCENT, ...FIXED],
    shippingPrices: [12.34],
  },
  {
    name: 'us-excl-discount-incl-tax',
    currency: 'USD',
    settings: exclusive({ discountIncludesTax: true, shippingTaxable: true }),
    rules: PERCENT,
    shippingPrices: [5],
  },
  {
    name: 'nz-incl-total',
    currency: 'NZD',
    settings: inclusive({ calculationMethod: 'total' }),
    rules: [...PERCENT, ...FIXED],
    shippingPrices: [4.95, 9.99],
  },
  {
    name: 'nz-incl-row',
    currency: 'NZD',
    settings: inclusive({ calculationMethod: 'row' }),
    rules: [...PERCENT, ...FIXED],
    shippingPrices: [7.5],
  },
  {
    name: 'au-incl-unit',
    currency: 'AUD',
    settings: inclusive({ calculationMethod: 'unit', rates: AU }),
    rules: [...PERCENT, ...FIXED],
    shippingPrices: [10],
  },
  {
    name: 'nz-incl-discount-excl-tax',
    currency: 'NZD',
    settings: inclusive({ discountIncludesTax: false, shippingIncludesTax: false }),
    rules: PERCENT,
    shippingPrices: [6.09],
  },
];

/** Looks configurations up by name (all of them when none are named). */
export function configurationsNamed(names?: readonly string[]): StoreConfiguration[] {
  if (!names?.length) return [...STORE_CONFIGURATIONS];
  return names.map((name) => {
    const found = STORE_CONFIGURATIONS.find((c) => c.name === name);
    if (!found) throw new Error(`unknown store configuration ${name}`);
    return found;
  });
}
