/** One tax rate (Stores › Tax Zones and Rates), e.g. a state's or a county's rate. */
export interface TaxRate {
  code: string;
  title: string;
  percent: number;
  /**
   * Rule priority. Rates of one priority add up (US state + county); a later priority compounds on the earlier
   * ones unless `calculateOffSubtotalOnly` (Magento's "Calculate Off Subtotal Only").
   */
  priority: number;
}

/** How the store is set up: the knobs of Stores › Configuration › Sales › Tax that change the arithmetic. */
export interface MagentoTaxSettings {
  /** tax/calculation/algorithm: UNIT_BASE_CALCULATION, ROW_BASE_CALCULATION or TOTAL_BASE_CALCULATION. */
  calculationMethod: 'unit' | 'row' | 'total';
  /** tax/calculation/price_includes_tax: catalog prices include tax. */
  pricesIncludeTax: boolean;
  /** tax/calculation/shipping_includes_tax: shipping prices include tax. */
  shippingIncludesTax: boolean;
  /** tax/calculation/apply_after_discount: tax is charged on the discounted price. */
  applyTaxAfterDiscount: boolean;
  /** tax/calculation/discount_tax: the discount is taken off the price including tax. */
  discountIncludesTax: boolean;
  /** Rates that apply to the "Taxable Goods" class at the customer's address. */
  rates: TaxRate[];
  /** Rule flag "Calculate Off Subtotal Only": later priorities add instead of compounding. */
  calculateOffSubtotalOnly?: boolean;
  /** Shipping's tax class: taxed at `rates`, or not taxed at all. */
  shippingTaxable: boolean;
}

/** A product's tax class: taxed at the store's rates, zero-rated (a 0% rate) or exempt (no rule matches). */
export type TaxClass = 'taxable' | 'zero' | 'exempt';

/** One group of rates Magento applies together (Calculation::getAppliedRates): its id is its rates' codes joined. */
export interface AppliedRateGroup {
  id: string;
  /** The group's effective percent (compounded when a later priority). */
  percent: number;
  rates: { code: string; title: string; percent: number }[];
}

/** Rounded tax figures of one quote item, what TaxDetailsItem carries back to the collectors. */
export interface ItemTaxDetails {
  code: string;
  price: number;
  priceInclTax: number;
  rowTotal: number;
  rowTotalInclTax: number;
  rowTax: number;
  discountTaxCompensationAmount: number;
  taxPercent: number;
  /** Per applied group: amount of tax. */
  appliedTaxes: { group: AppliedRateGroup; amount: number }[];
}

/** Input to the tax calculation for one line (QuoteDetailsItem): prices and discount are per row. */
export interface TaxableItem {
  code: string;
  unitPrice: number;
  quantity: number;
  discountAmount: number;
  taxClass: TaxClass;
  /** Tax included in unitPrice (catalog or shipping setting). */
  taxIncluded: boolean;
}

/** A cart price rule (SalesRule). */
export interface DiscountRule {
  type: 'by_percent' | 'by_fixed' | 'cart_fixed';
  /** Percent for by_percent; amount per unit for by_fixed; amount for the whole cart for cart_fixed. */
  amount: number;
  /** "Apply to Shipping Amount" (by_percent only here). */
  applyToShipping?: boolean;
  label?: string;
}

/** Magento product types as order items name them (bundles split by price type). */
export type CartProductType =
  'simple' | 'virtual' | 'downloadable' | 'configurable' | 'bundle_dynamic' | 'bundle_fixed';

/** A child of a configurable (the chosen simple) or a bundle selection. */
export interface CartChild {
  sku: string;
  name: string;
  productId: number;
  /** Selection price: carries the money in a dynamic-price bundle, ignored otherwise (the parent carries it). */
  price: number;
  /** Units of the child in one unit of the parent. */
  qtyPerParent: number;
  taxClass: TaxClass;
}

/** A product put in the cart. `price` is the catalog price, including tax when catalog prices include tax. */
export interface CartProduct {
  sku: string;
  name: string;
  productId: number;
  type: CartProductType;
  /** Unit price; for a dynamic bundle the sum comes from its children and this is ignored. */
  price: number;
  taxClass: TaxClass;
  children?: CartChild[];
}

export interface CartLine {
  product: CartProduct;
  qty: number;
}

/** What a customer checked out: lines, shipping (0 for none; virtual carts never ship), a rule, what paid for it. */
export interface Cart {
  lines: CartLine[];
  /** Flat-rate shipping as configured: including tax when shipping prices include tax. */
  shippingPrice: number;
  rule?: DiscountRule;
  /** Store credit (Adobe Commerce customer balance) the customer spends on the order, at most the order total. */
  customerBalance?: number;
  /** Gift card value the customer spends on the order, at most the order total. */
  giftCards?: number;
}
