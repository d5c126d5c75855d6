import type { DiscountRule } from './magento.types';
import { DiscountDeltaRounder, roundCents } from './money';

/** A line a cart rule can discount: its quantity and the unit price the rule works from (Validator::getItemPrice). */
export interface DiscountableLine {
  code: string;
  qty: number;
  /** Price excluding tax, or including it when the discount is taken off prices including tax. */
  price: number;
}

export interface LineDiscount {
  code: string;
  amount: number;
  /** discount_percent on the order item: the rule's percent for by_percent, else 0. */
  percent: number;
}

/**
 * The discount a cart rule puts on each line, following Magento 2.4's SalesRule discount calculators:
 * - by_percent (Rule\Action\Discount\ByPercent): qty × price × percent, rounded per line;
 * - by_fixed (ByFixed): the amount off every unit, never more than the line;
 * - cart_fixed (CartFixed): the amount spread over the lines by their share of the rule's lines' total, each share
 *   rounded with the remainder of the previous share added (DeltaPriceRound); the last line takes whatever is left
 *   of the amount (never more than the line).
 */
export function lineDiscounts(rule: DiscountRule | undefined, lines: readonly DiscountableLine[]): LineDiscount[] {
  if (!rule) return lines.map((l) => ({ code: l.code, amount: 0, percent: 0 }));
  switch (rule.type) {
    case 'by_percent': {
      const percent = Math.min(100, rule.amount);
      return lines.map((l) => ({ code: l.code, amount: roundCents((l.qty * l.price * percent) / 100), percent }));
    }
    case 'by_fixed':
      return lines.map((l) => ({
        code: l.code,
        amount: roundCents(Math.min(l.qty * rule.amount, l.qty * l.price)),
        percent: 0,
      }));
    case 'cart_fixed':
      return cartFixed(rule.amount, lines);
  }
}

function cartFixed(amount: number, lines: readonly DiscountableLine[]): LineDiscount[] {
  const rounder = new DiscountDeltaRounder();
  const key = 'CartFixed';
  const itemsPrice = lines.reduce((s, l) => s + l.price * l.qty, 0);
  let available = amount;
  let left = lines.filter((l) => l.price * l.qty > 0).length;
  return lines.map((l) => {
    const rowPrice = l.price * l.qty;
    if (available <= 0 || rowPrice <= 0) return { code: l.code, amount: 0, percent: 0 };
    let share: number;
    if (left <= 1) {
      share = Math.min(rowPrice, available);
      rounder.reset(key);
    } else {
      share = Math.min(rowPrice, rounder.round((amount * rowPrice) / itemsPrice, key));
      left--;
    }
    share = roundCents(share);
    available -= share;
    if (available <= 0) rounder.reset(key);
    return { code: l.code, amount: share, percent: 0 };
  });
}

/**
 * The discount on shipping when a by_percent rule applies to shipping: the percent of the shipping amount the
 * rule sees (including tax when discounts are taken off prices including tax), rounded.
 */
export function shippingDiscount(rule: DiscountRule | undefined, shippingForDiscount: number): number {
  if (!rule || rule.type !== 'by_percent' || !rule.applyToShipping || shippingForDiscount <= 0) return 0;
  return roundCents((shippingForDiscount * Math.min(100, rule.amount)) / 100);
}
