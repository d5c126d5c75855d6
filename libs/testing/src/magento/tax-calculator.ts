import type {
  AppliedRateGroup,
  ItemTaxDetails,
  MagentoTaxSettings,
  TaxableItem,
  TaxClass,
  TaxRate,
} from './magento.types';
import { roundCents, stored, TaxDeltaRounder } from './money';

/**
 * The rate groups Magento applies to a tax class (Magento 2.4's Tax Calculation::getAppliedRates with the
 * resource model's calculation process): rates of one priority add up; each later priority compounds on what came
 * before ((100 + earlier) × rate / 100) unless the rule calculates off the subtotal only. Zero-rated goods get one
 * 0% group; exempt goods match no rule and get none.
 */
export function appliedRateGroups(settings: MagentoTaxSettings, taxClass: TaxClass): AppliedRateGroup[] {
  if (taxClass === 'exempt') return [];
  if (taxClass === 'zero')
    return [{ id: 'ZERO', percent: 0, rates: [{ code: 'ZERO', title: 'Zero rated', percent: 0 }] }];
  const byPriority = new Map<number, TaxRate[]>();
  for (const rate of [...settings.rates].sort((a, b) => a.priority - b.priority)) {
    byPriority.set(rate.priority, [...(byPriority.get(rate.priority) ?? []), rate]);
  }
  const groups: AppliedRateGroup[] = [];
  let accumulated = 0;
  for (const rates of byPriority.values()) {
    const sum = rates.reduce((s, r) => s + r.percent, 0);
    const percent = settings.calculateOffSubtotalOnly ? sum : ((100 + accumulated) * sum) / 100;
    accumulated += percent;
    groups.push({
      id: rates.map((r) => r.code).join(''),
      percent,
      rates: rates.map((r) => ({ code: r.code, title: r.title, percent: r.percent })),
    });
  }
  return groups;
}

/** Calculation::calcTaxAmount without rounding: tax in (inclusive) or on (exclusive) a price at a percent. */
export function calcTaxAmount(price: number, percent: number, priceIncludesTax: boolean): number {
  const rate = percent / 100;
  return priceIncludesTax ? price * (1 - 1 / (1 + rate)) : price * rate;
}

/** The figures as the quote item keeps them (DECIMAL(20,4)); the calculation itself runs on raw floats. */
function keptAsStored(d: ItemTaxDetails): ItemTaxDetails {
  return {
    ...d,
    price: stored(d.price),
    priceInclTax: stored(d.priceInclTax),
    rowTotal: stored(d.rowTotal),
    rowTotalInclTax: stored(d.rowTotalInclTax),
    rowTax: stored(d.rowTax),
    discountTaxCompensationAmount: stored(d.discountTaxCompensationAmount),
    appliedTaxes: d.appliedTaxes.map((a) => ({ group: a.group, amount: stored(a.amount) })),
  };
}

const REGULAR = 'regular';
const BEFORE_DISCOUNT = 'tax_before_discount';
const APPLIED = 'applied_tax_amount';

/**
 * One tax calculation over a cart (Magento 2.4's Tax Calculation\UnitBaseCalculator, RowBaseCalculator and
 * TotalBaseCalculator over AbstractAggregateCalculator). Create one per cart and feed it the cart's items in
 * Magento's order (products, then shipping): the Total method carries each rate's rounding remainder from line to
 * line; Unit and Row key their remainders by item so nothing carries between lines; the split of an inclusive
 * line's tax over several rate groups carries per group in every method.
 */
export class TaxCalculator {
  private readonly rounder = new TaxDeltaRounder();

  constructor(private readonly settings: MagentoTaxSettings) {}

  calculate(item: TaxableItem): ItemTaxDetails {
    const groups = appliedRateGroups(this.settings, item.taxClass);
    const rate = groups.reduce((s, g) => s + g.percent, 0);
    let details: ItemTaxDetails;
    if (this.settings.calculationMethod === 'unit') {
      details = item.taxIncluded ? this.unitInclusive(item, rate, groups) : this.unitExclusive(item, rate, groups);
    } else {
      details = item.taxIncluded ? this.rowInclusive(item, rate, groups) : this.rowExclusive(item, rate, groups);
    }
    return keptAsStored(details);
  }

  /** roundAmount: Unit and Row add the item's code to the remainder's type, so it never reaches another line. */
  private roundAmount(amount: number, rateKey: string, inclusive: boolean, type: string, code: string): number {
    const perItem = this.settings.calculationMethod === 'total' ? '' : code;
    return this.rounder.round(amount, `${type}${inclusive ? '1' : ''}${perItem}`, rateKey);
  }

  private get beforeDiscountType(): string {
    return this.settings.applyTaxAfterDiscount ? BEFORE_DISCOUNT : REGULAR;
  }

  /** getAppliedTaxes: an inclusive line's tax split over its groups pro rata, each share delta-rounded per group. */
  private splitOverGroups(rowTax: number, rate: number, groups: AppliedRateGroup[]) {
    const applied: ItemTaxDetails['appliedTaxes'] = [];
    let total = 0;
    for (const group of groups) {
      if (group.percent === 0) continue;
      let amount = this.rounder.round((rowTax / rate) * group.percent, `${APPLIED}1`, group.id);
      if (total + amount > rowTax) amount = rowTax - total;
      total += amount;
      applied.push({ group, amount });
    }
    return applied;
  }

  private unitInclusive(item: TaxableItem, rate: number, groups: AppliedRateGroup[]): ItemTaxDetails {
    const { quantity: qty, code } = item;
    const key = String(rate);
    const priceInclTax = roundCents(item.unitPrice);
    let unitTax = this.roundAmount(calcTaxAmount(priceInclTax, rate, true), key, true, this.beforeDiscountType, code);
    const price = priceInclTax - unitTax;
    let compensation = 0;
    if (this.settings.applyTaxAfterDiscount) {
      const taxable = Math.max(priceInclTax - item.discountAmount / qty, 0);
      const after = this.roundAmount(calcTaxAmount(taxable, rate, true), key, true, REGULAR, code);
      compensation = (unitTax - after) * qty;
      unitTax = after;
    }
    const rowTax = unitTax * qty;
    return {
      code,
      price,
      priceInclTax,
      rowTotal: price * qty,
      rowTotalInclTax: priceInclTax * qty,
      rowTax,
      discountTaxCompensationAmount: compensation,
      taxPercent: rate,
      appliedTaxes: this.splitOverGroups(rowTax, rate, groups),
    };
  }

  private unitExclusive(item: TaxableItem, rate: number, groups: AppliedRateGroup[]): ItemTaxDetails {
    const { quantity: qty, code } = item;
    const price = roundCents(item.unitPrice);
    const appliedTaxes: ItemTaxDetails['appliedTaxes'] = [];
    let unitTax = 0;
    let unitTaxBeforeDiscount = 0;
    for (const group of groups) {
      const before = this.roundAmount(
        calcTaxAmount(price, group.percent, false),
        group.id,
        false,
        this.beforeDiscountType,
        code,
      );
      let after = before;
      if (this.settings.applyTaxAfterDiscount) {
        const taxable = Math.max(price - item.discountAmount / qty, 0);
        after = this.roundAmount(calcTaxAmount(taxable, group.percent, false), group.id, false, REGULAR, code);
      }
      if (group.percent !== 0) appliedTaxes.push({ group, amount: after * qty });
      unitTax += after;
      unitTaxBeforeDiscount += before;
    }
    const priceInclTax = price + unitTaxBeforeDiscount;
    return {
      code,
      price,
      priceInclTax,
      rowTotal: price * qty,
      rowTotalInclTax: priceInclTax * qty,
      rowTax: unitTax * qty,
      discountTaxCompensationAmount: 0,
      taxPercent: rate,
      appliedTaxes,
    };
  }

  private rowInclusive(item: TaxableItem, rate: number, groups: AppliedRateGroup[]): ItemTaxDetails {
    const { quantity: qty, code } = item;
    const key = String(rate);
    const priceInclTax = roundCents(item.unitPrice);
    const rowTotalInclTax = priceInclTax * qty;
    let rowTax = this.roundAmount(calcTaxAmount(rowTotalInclTax, rate, true), key, true, this.beforeDiscountType, code);
    const rowTotal = rowTotalInclTax - rowTax;
    const price = roundCents(rowTotal / qty);
    let compensation = 0;
    if (this.settings.applyTaxAfterDiscount) {
      const taxable = Math.max(rowTotalInclTax - item.discountAmount, 0);
      const after = this.roundAmount(calcTaxAmount(taxable, rate, true), key, true, REGULAR, code);
      compensation = rowTax - after;
      rowTax = after;
    }
    return {
      code,
      price,
      priceInclTax,
      rowTotal,
      rowTotalInclTax,
      rowTax,
      discountTaxCompensationAmount: compensation,
      taxPercent: rate,
      appliedTaxes: this.splitOverGroups(rowTax, rate, groups),
    };
  }

  private rowExclusive(item: TaxableItem, rate: number, groups: AppliedRateGroup[]): ItemTaxDetails {
    const { quantity: qty, code } = item;
    const price = roundCents(item.unitPrice);
    const rowTotal = price * qty;
    const appliedTaxes: ItemTaxDetails['appliedTaxes'] = [];
    let rowTax = 0;
    let rowTaxBeforeDiscount = 0;
    for (const group of groups) {
      const before = this.roundAmount(
        calcTaxAmount(rowTotal, group.percent, false),
        group.id,
        false,
        this.beforeDiscountType,
        code,
      );
      let after = before;
      if (this.settings.applyTaxAfterDiscount) {
        const taxable = Math.max(rowTotal - item.discountAmount, 0);
        after = this.roundAmount(calcTaxAmount(taxable, group.percent, false), group.id, false, REGULAR, code);
      }
      if (group.percent !== 0) appliedTaxes.push({ group, amount: after });
      rowTax += after;
      rowTaxBeforeDiscount += before;
    }
    const rowTotalInclTax = rowTotal + rowTaxBeforeDiscount;
    return {
      code,
      price,
      priceInclTax: roundCents(rowTotalInclTax / qty),
      rowTotal,
      rowTotalInclTax,
      rowTax,
      discountTaxCompensationAmount: 0,
      taxPercent: rate,
      appliedTaxes,
    };
  }
}
