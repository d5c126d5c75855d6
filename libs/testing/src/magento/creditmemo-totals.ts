import { withBase } from './base-amounts';
import { DocumentRounder, roundCents, stored, subMoney, sumMoney } from './money';
import { documentLine, documentQtys, finishLines, isDummy, sameQty } from './order-items';
import type { CreditMemoPayload, DocumentItemPayload, OrderItemPayload, OrderPayload } from './payload.types';

export interface CreditMemoRequest {
  entityId: number;
  incrementId: string;
  createdAt: string;
  firstLineId: number;
  /** The store invoice refunded (online refunds name it); null for an offline refund of the order. */
  invoiceId: number | null;
  /** Quantity to refund per top-level order line; children follow their parent. */
  qtys: ReadonlyMap<number, number>;
  /** Shipping to refund, excluding tax; omitted: all shipping not yet refunded. */
  shippingAmount?: number;
  /** "Adjustment Refund" (adjustment_positive) and "Adjustment Fee" (adjustment_negative). */
  adjustmentPositive?: number;
  adjustmentNegative?: number;
}

/** The quantities still refundable on every top-level line (invoiced, not yet refunded). */
export function remainingToRefund(order: OrderPayload): Map<number, number> {
  return new Map(
    order.items
      .filter((i) => !i.parent_item_id)
      .map((i) => [i.item_id, stored(i.qty_invoiced - i.qty_refunded)] as [number, number])
      .filter(([, q]) => q > 0),
  );
}

/** What the customer can still get back: paid less refunded. */
export const refundableTotal = (order: OrderPayload): number => subMoney(order.total_paid, order.total_refunded);

/**
 * Creates a credit memo and registers it on the order, following Magento 2.4's credit memo totals in their sort
 * order: Creditmemo\Total\Subtotal (Creditmemo\Item::calcRowTotal over what was invoiced), Shipping (a desired
 * amount refunds that share of what is left), Discount (lines' share of the invoiced discount; shipping's share of
 * the shipping discount), Tax (lines' share of the invoiced tax, shipping's share of shipping tax; the memo that
 * refunds everything left takes all the tax left), then the grand total with the adjustments. Shares that are not
 * the last of their line are rounded through the memo's running rounders (Creditmemo::roundPrice). The memo
 * refunds gift cards, then store credit, before money (Adobe Commerce's GiftCardAccount and CustomerBalance).
 * Throws, as Magento refuses to save it, when the memo would refund more than was paid or a negative amount.
 */
export function createCreditMemo(order: OrderPayload, request: CreditMemoRequest): CreditMemoPayload {
  const rounder = new DocumentRounder();
  const qtys = documentQtys(order, request.qtys);
  const isLastLine = (item: OrderItemPayload, qty: number) =>
    sameQty(qty, item.qty_invoiced - item.qty_refunded) &&
    sameQty(item.qty_ordered - item.qty_invoiced - item.qty_canceled, 0);
  const memoIsLast = order.items
    .filter((i) => !isDummy(order, i))
    .every((i) => isLastLine(i, qtys.get(i.item_id) ?? 0));

  let lineId = request.firstLineId;
  const rows: { item: OrderItemPayload; line: DocumentItemPayload; money: boolean }[] = [];
  for (const item of order.items) {
    const qty = qtys.get(item.item_id);
    if (!qty) continue;
    if (qty > item.qty_invoiced - item.qty_refunded + 1e-9)
      throw new Error(`item ${item.item_id}: qty over refundable`);
    rows.push({ item, line: documentLine(lineId++, item, qty), money: !isDummy(order, item) });
  }
  const priced = rows.filter((r) => r.money);

  for (const { item, line } of priced) {
    const left = subMoney(item.row_invoiced, item.amount_refunded);
    line.row_total =
      !isLastLine(item, line.qty) && item.qty_invoiced > 0
        ? rounder.round((left / (item.qty_invoiced - item.qty_refunded)) * line.qty)
        : left;
    if (item.row_total_incl_tax) {
      line.row_total_incl_tax = rounder.round((item.row_total_incl_tax / item.qty_ordered) * line.qty, 'including');
    }
  }
  const subtotal = sumMoney(priced.map((r) => r.line.row_total));

  // Shipping: a desired amount is that ratio of the shipping left to refund.
  const allowedShipping = subMoney(order.shipping_amount, order.shipping_refunded);
  const allowedShippingTax = subMoney(order.shipping_tax_amount, order.shipping_tax_refunded);
  const allowedInclTax = sumMoney([allowedShipping, allowedShippingTax]);
  let shipping = allowedShipping;
  let shippingInclTax = allowedInclTax;
  if (request.shippingAmount !== undefined) {
    const desired = roundCents(request.shippingAmount);
    if (desired > allowedShipping + 0.0001) throw new Error(`shipping ${desired} over refundable ${allowedShipping}`);
    const ratio = allowedShipping > 0 ? desired / allowedShipping : 0;
    shipping = desired > allowedShipping - 0.0001 ? allowedShipping : roundCents(order.shipping_amount * ratio);
    shippingInclTax = roundCents(allowedInclTax * ratio);
  }

  let discount = 0;
  if (shipping && order.shipping_amount) {
    discount = stored((shipping * order.shipping_discount_amount) / order.shipping_amount);
  }
  for (const { item, line } of priced) {
    if (!item.discount_invoiced || !item.qty_invoiced) continue;
    const left = subMoney(item.discount_invoiced, item.discount_refunded);
    line.discount_amount = isLastLine(item, line.qty)
      ? left
      : rounder.round((left / (item.qty_invoiced - item.qty_refunded)) * line.qty, 'regular', true);
    discount = sumMoney([discount, line.discount_amount]);
  }

  let tax = 0;
  let compensation = 0;
  for (const { item, line } of priced) {
    if (!item.qty_invoiced) continue;
    let lineTax = subMoney(item.tax_invoiced, item.tax_refunded);
    let lineComp = subMoney(item.discount_tax_compensation_invoiced, item.discount_tax_compensation_refunded);
    if (!isLastLine(item, line.qty)) {
      const left = item.qty_invoiced - item.qty_refunded;
      lineTax = rounder.round((lineTax / left) * line.qty);
      lineComp = rounder.round((lineComp / left) * line.qty);
    }
    line.tax_amount = lineTax;
    line.discount_tax_compensation_amount = lineComp;
    tax = sumMoney([tax, lineTax]);
    compensation = sumMoney([compensation, lineComp]);
  }
  let shippingTax = 0;
  let shippingComp = 0;
  let partialShipping = false;
  if (allowedShipping > shipping) {
    const part = shipping / order.shipping_amount;
    shippingTax = rounder.round(order.shipping_tax_amount * part);
    shippingComp = rounder.round(order.shipping_discount_tax_compensation_amount * part);
    partialShipping = part < 1 && order.shipping_tax_amount > 0;
  } else if (allowedShipping === shipping) {
    shippingTax = allowedShippingTax;
    shippingComp = subMoney(
      order.shipping_discount_tax_compensation_amount,
      order.shipping_discount_tax_compensation_refunded,
    );
  }
  tax = sumMoney([tax, shippingTax]);
  compensation = sumMoney([compensation, shippingComp]);
  const allowedTax = subMoney(order.tax_invoiced, order.tax_refunded);
  const allowedComp = sumMoney([
    order.discount_tax_compensation_invoiced,
    order.shipping_discount_tax_compensation_amount,
    -order.discount_tax_compensation_refunded,
    -order.shipping_discount_tax_compensation_refunded,
  ]);
  const takesRest = memoIsLast && !partialShipping;
  tax = takesRest ? allowedTax : Math.min(allowedTax, tax);
  compensation = takesRest ? allowedComp : Math.min(allowedComp, compensation);

  const adjustmentPositive = roundCents(request.adjustmentPositive ?? 0);
  const adjustmentNegative = roundCents(request.adjustmentNegative ?? 0);
  const beforeTenders = sumMoney([
    subtotal,
    shipping,
    -discount,
    tax,
    compensation,
    adjustmentPositive,
    -adjustmentNegative,
  ]);
  // An Adjustment Fee larger than what the memo refunds: Magento refuses it ("The credit memo's total must be
  // positive."). Checked before the tenders, which would otherwise take a negative share of it.
  if (beforeTenders < 0) throw new Error(`credit memo total ${beforeTenders} is negative`);
  const ext = order.extension_attributes;
  const giftCards = Math.min(subMoney(ext.gift_cards_invoiced, ext.gift_cards_refunded), beforeTenders);
  const balance = Math.min(
    subMoney(ext.customer_balance_invoiced, ext.customer_balance_refunded),
    subMoney(beforeTenders, giftCards),
  );
  const grandTotal = sumMoney([beforeTenders, -giftCards, -balance]);
  if (grandTotal < 0) throw new Error(`credit memo total ${grandTotal} is negative`);
  if (grandTotal > refundableTotal(order) + 0.0001) {
    throw new Error(`credit memo total ${grandTotal} over what was paid and not refunded (${refundableTotal(order)})`);
  }

  const memo = withBase({
    entity_id: request.entityId,
    increment_id: request.incrementId,
    order_id: order.entity_id,
    order_increment_id: order.increment_id,
    invoice_id: request.invoiceId,
    state: 2,
    created_at: request.createdAt,
    order_currency_code: order.order_currency_code,
    payment_method: order.payment.method,
    subtotal,
    subtotal_incl_tax: sumMoney(priced.map((r) => r.line.row_total_incl_tax)),
    tax_amount: tax,
    shipping_amount: shipping,
    shipping_tax_amount: shippingTax,
    shipping_incl_tax: shippingInclTax,
    discount_amount: discount ? -discount : 0,
    discount_tax_compensation_amount: compensation,
    shipping_discount_tax_compensation_amount: shippingComp,
    adjustment_positive: adjustmentPositive,
    adjustment_negative: adjustmentNegative,
    grand_total: grandTotal,
    items: finishLines(rows.map((r) => r.line)),
    extension_attributes: {
      customer_balance_amount: balance,
      base_customer_balance_amount: balance,
      gift_cards_amount: giftCards,
      base_gift_cards_amount: giftCards,
    },
  }) as CreditMemoPayload;
  register(order, memo, rows);
  return memo;
}

/** Creditmemo::refund: the order and its lines remember what was refunded. */
function register(
  order: OrderPayload,
  memo: CreditMemoPayload,
  rows: readonly { item: OrderItemPayload; line: DocumentItemPayload }[],
): void {
  for (const { item, line } of rows) {
    item.qty_refunded = stored(item.qty_refunded + line.qty);
    item.amount_refunded = sumMoney([item.amount_refunded, line.row_total]);
    item.tax_refunded = sumMoney([item.tax_refunded, line.tax_amount]);
    item.discount_refunded = sumMoney([item.discount_refunded, line.discount_amount]);
    item.discount_tax_compensation_refunded = sumMoney([
      item.discount_tax_compensation_refunded,
      line.discount_tax_compensation_amount,
    ]);
    Object.assign(item, withBase(item));
  }
  const shippingComp = memo.shipping_discount_tax_compensation_amount;
  order.subtotal_refunded = sumMoney([order.subtotal_refunded, memo.subtotal]);
  order.tax_refunded = sumMoney([order.tax_refunded, memo.tax_amount]);
  order.discount_refunded = sumMoney([order.discount_refunded, memo.discount_amount]);
  order.shipping_refunded = sumMoney([order.shipping_refunded, memo.shipping_amount]);
  order.shipping_tax_refunded = sumMoney([order.shipping_tax_refunded, memo.shipping_tax_amount]);
  order.discount_tax_compensation_refunded = sumMoney([
    order.discount_tax_compensation_refunded,
    memo.discount_tax_compensation_amount,
    -shippingComp,
  ]);
  order.shipping_discount_tax_compensation_refunded = sumMoney([
    order.shipping_discount_tax_compensation_refunded,
    shippingComp,
  ]);
  order.adjustment_positive = sumMoney([order.adjustment_positive, memo.adjustment_positive]);
  order.adjustment_negative = sumMoney([order.adjustment_negative, memo.adjustment_negative]);
  order.total_refunded = sumMoney([order.total_refunded, memo.grand_total]);
  const ext = order.extension_attributes;
  ext.gift_cards_refunded = sumMoney([ext.gift_cards_refunded, memo.extension_attributes.gift_cards_amount]);
  ext.customer_balance_refunded = sumMoney([
    ext.customer_balance_refunded,
    memo.extension_attributes.customer_balance_amount,
  ]);
  Object.assign(order, withBase(order));
}
