/**
 * # Magento 2.4 arithmetic engine (test store)
 *
 * Builds orders, invoices and credit memos whose every figure is what Magento 2.4 itself computes, so the Xero
 * mapping can be held to the cent, line by line. Our own re-implementation from reading Magento's sources; the
 * class named for each rule is where Magento keeps it.
 *
 * | rule | follows |
 * |---|---|
 * | rounding to the cent, half away from zero; DECIMAL(20,4) storage | Tax `Calculation::round`, Directory `PriceCurrency::round` |
 * | tax per unit / per row / on the total with the remainder carried per rate | Tax `UnitBaseCalculator`, `RowBaseCalculator`, `TotalBaseCalculator`, `AbstractAggregateCalculator`, `AbstractCalculator::deltaRound` |
 * | catalog prices including tax (tax backed out of the price) | Tax `Calculation::calcTaxAmount` (inclusive branch) in the calculators above |
 * | tax after / before discount; discount on prices incl. tax; hidden tax (`discount_tax_compensation_amount`) | the calculators' discount branch; Tax `CommonTaxCollector::updateItemTaxInfo` (discount calculation price) |
 * | shipping tax class, shipping prices incl. tax, `shipping_discount_amount`, shipping hidden tax | Tax `CommonTaxCollector::getShippingDataObject`, `processShippingTaxInfo`; SalesRule shipping discount |
 * | several rates: same priority add, later priority compounds; per-rate applied taxes | Tax `Calculation::getAppliedRates`, `AbstractCalculator::getAppliedTaxes`, `CommonTaxCollector::processAppliedTaxes` |
 * | zero-rated and exempt lines | a 0% rate (no applied tax listed) / no matching rule |
 * | by_percent, by_fixed, cart_fixed with its delta (last line takes the rest) | SalesRule `Rule\Action\Discount\ByPercent`, `ByFixed`, `CartFixed`, `DeltaPriceRound` |
 * | bundles: dynamic price (children carry the money, parent sums), fixed price and configurables (parent carries it) | Tax `CommonTaxCollector::mapItems` (`isChildrenCalculated`), Sales `Order\Item::isDummy` |
 * | virtual and downloadable items (no shipping when the whole order is virtual) | Quote `Address\Total\Shipping` |
 * | grand total = subtotal + shipping − discount + tax + hidden tax | Quote `Address\Total\Grand` |
 * | gift cards, then store credit, reduce what is paid (order, invoice, credit memo) | Adobe Commerce `GiftCardAccount` and `CustomerBalance` totals (not in the open-source tree: modelled, not read) |
 * | partial invoices: share of what is left, running rounders, last invoice takes the rest; shipping on the first | Sales `Order\Invoice\Total\{Subtotal,Discount,Shipping,Tax}`, `Invoice\Item::calcRowTotal`, `Invoice::roundPrice` |
 * | partial refunds: share of what was invoiced, shipping ratio, adjustments, last memo takes the rest | Sales `Order\Creditmemo\Total\{Subtotal,Shipping,Discount,Tax}`, `Creditmemo\Item::calcRowTotal` |
 *
 * Configurations (`STORE_CONFIGURATIONS`): us-excl-total, us-excl-row, us-excl-unit (the three methods, prices
 * excl. tax, CA 8.25%), us-tax-before-discount, us-two-rates (NY state + city, one priority), ca-compound (GST then
 * compounding QST), us-excl-discount-incl-tax, nz-incl-total, nz-incl-row, au-incl-unit (prices and shipping incl.
 * tax, discount incl. tax: hidden tax), nz-incl-discount-excl-tax (shipping excl. tax). Every configuration mixes
 * all product types, tax classes, rules, tenders and invoice/refund scenarios.
 *
 * Simplifications: one currency per store (base = order currency); the customer's rate is the store's (no
 * cross-border price adjustment); credit memos are prorated from the order's figures (Magento's offline-refund
 * branch; the online branch gives the same figures because the first invoice carries all of shipping).
 */
export { STORE_CONFIGURATIONS, StoreConfiguration, configurationsNamed } from './configurations';
export {
  generateMagentoOrders,
  GenerateMagentoOrdersOptions,
  GeneratedMagentoOrders,
  EngineOrder,
  EngineScenario,
} from './magento-orders.generator';
export { buildOrder, OrderIdentity } from './order-totals';
export { createInvoice, remainingToInvoice, InvoiceRequest } from './invoice-totals';
export { createCreditMemo, remainingToRefund, refundableTotal, CreditMemoRequest } from './creditmemo-totals';
export { TaxCalculator, appliedRateGroups, calcTaxAmount } from './tax-calculator';
export { lineDiscounts, shippingDiscount } from './discount';
export { phpRound, roundCents, sumMoney } from './money';
export type * from './magento.types';
export type * from './payload.types';
