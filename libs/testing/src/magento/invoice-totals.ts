import { withBase } from './base-amounts';
import { DocumentRounder, stored, subMoney, sumMoney } from './money';
import { documentLine, documentQtys, finishLines, isDummy, sameQty } from './order-items';
import type { DocumentItemPayload, InvoicePayload, OrderItemPayload, OrderPayload } from './payload.types';

export interface InvoiceRequest {
  entityId: number;
  incrementId: string;
  createdAt: string;
  /** Entity id of the invoice's first line; the others follow. */
  firstLineId: number;
  /** Quantity to invoice per top-level order line (item_id → qty); children follow their parent. */
  qtys: ReadonlyMap<number, number>;
}

/** The quantities still to invoice on every top-level line: what "Invoice all" sends. */
export function remainingToInvoice(order: OrderPayload): Map<number, number> {
  return new Map(
    order.items
      .filter((i) => !i.parent_item_id)
      .map((i) => [i.item_id, i.qty_ordered - i.qty_invoiced - i.qty_canceled] as [number, number])
      .filter(([, q]) => q > 0),
  );
}

/**
 * Creates an invoice for `order` and registers it on the order (mutating its running totals), following Magento
 * 2.4's invoice totals in their sort order: Invoice\Total\Subtotal (Invoice\Item::calcRowTotal), Discount, Shipping,
 * Tax, then the grand total; lines that are not the last of their order line take their share of what is left
 * (left ÷ qty left × qty) rounded through the invoice's running rounders (Invoice::roundPrice), the last takes all
 * that is left, and the invoice that completes the order takes what is left of subtotal, tax and hidden tax.
 * The first invoice carries all of shipping and the shipping discount. Gift cards, then store credit, pay what they
 * still cover (Adobe Commerce's GiftCardAccount and CustomerBalance invoice totals).
 */
export function createInvoice(order: OrderPayload, request: InvoiceRequest): InvoicePayload {
  const rounder = new DocumentRounder();
  const qtys = documentQtys(order, request.qtys);
  const isLastLine = (item: OrderItemPayload, qty: number) =>
    sameQty(qty, item.qty_ordered - item.qty_invoiced - item.qty_canceled);
  const invoiceIsLast = order.items
    .filter((i) => !isDummy(order, i))
    .every((i) => isLastLine(i, qtys.get(i.item_id) ?? 0));

  let lineId = request.firstLineId;
  const rows: { item: OrderItemPayload; line: DocumentItemPayload; money: boolean }[] = [];
  for (const item of order.items) {
    const qty = qtys.get(item.item_id);
    if (!qty) continue;
    rows.push({ item, line: documentLine(lineId++, item, qty), money: !isDummy(order, item) });
  }
  const priced = rows.filter((r) => r.money);

  // Subtotal: each line's row total, and its row total incl. tax in proportion to the ordered quantity.
  for (const { item, line } of priced) {
    const left = subMoney(item.row_total, item.row_invoiced);
    line.row_total = isLastLine(item, line.qty)
      ? left
      : rounder.round((left / (item.qty_ordered - item.qty_invoiced)) * line.qty);
    if (item.row_total_incl_tax) {
      line.row_total_incl_tax = rounder.round((item.row_total_incl_tax / item.qty_ordered) * line.qty, 'including');
    }
  }
  const allowedSubtotal = subMoney(order.subtotal, order.subtotal_invoiced);
  const linesSubtotal = sumMoney(priced.map((r) => r.line.row_total));
  const subtotal = invoiceIsLast ? allowedSubtotal : Math.min(allowedSubtotal, linesSubtotal);

  // Discount: the shipping discount goes on the first invoice that has any discount.
  const firstDiscounted = order.discount_invoiced === 0;
  let discount = firstDiscounted ? order.shipping_discount_amount : 0;
  for (const { item, line } of priced) {
    if (!item.discount_amount) continue;
    const left = subMoney(item.discount_amount, item.discount_invoiced);
    line.discount_amount = isLastLine(item, line.qty)
      ? left
      : rounder.round((left / (item.qty_ordered - item.qty_invoiced)) * line.qty, 'regular', true);
    discount = sumMoney([discount, line.discount_amount]);
  }

  // Shipping: all of it on the first invoice.
  const withShipping = order.items.every((i) => i.qty_invoiced === 0);
  const shipping = withShipping ? order.shipping_amount : 0;

  // Tax and the tax hidden in discounted inclusive prices.
  let tax = 0;
  let compensation = 0;
  for (const { item, line } of priced) {
    if (!item.tax_amount && !item.discount_tax_compensation_amount) continue;
    let lineTax = subMoney(item.tax_amount, item.tax_invoiced);
    let lineComp = subMoney(item.discount_tax_compensation_amount, item.discount_tax_compensation_invoiced);
    if (!isLastLine(item, line.qty)) {
      const left = item.qty_ordered - item.qty_invoiced;
      lineTax = rounder.round((lineTax / left) * line.qty);
      lineComp = rounder.round((lineComp / left) * line.qty);
    }
    line.tax_amount = lineTax;
    line.discount_tax_compensation_amount = lineComp;
    tax = sumMoney([tax, lineTax]);
    compensation = sumMoney([compensation, lineComp]);
  }
  if (withShipping) {
    tax = sumMoney([tax, order.shipping_tax_amount]);
    compensation = sumMoney([compensation, order.shipping_discount_tax_compensation_amount]);
  }
  const allowedTax = subMoney(order.tax_amount, order.tax_invoiced);
  const allowedComp = sumMoney([
    order.discount_tax_compensation_amount,
    order.shipping_discount_tax_compensation_amount,
    -order.discount_tax_compensation_invoiced,
    -order.shipping_discount_tax_compensation_invoiced,
  ]);
  tax = invoiceIsLast ? allowedTax : Math.min(allowedTax, tax);
  compensation = invoiceIsLast ? allowedComp : Math.min(allowedComp, compensation);

  const beforeTenders = sumMoney([subtotal, -discount, shipping, tax, compensation]);
  const ext = order.extension_attributes;
  const giftCards = Math.min(subMoney(ext.gift_cards_amount, ext.gift_cards_invoiced), beforeTenders);
  const balance = Math.min(
    subMoney(ext.customer_balance_amount, ext.customer_balance_invoiced),
    subMoney(beforeTenders, giftCards),
  );
  const grandTotal = sumMoney([beforeTenders, -giftCards, -balance]);

  const invoice = withBase({
    entity_id: request.entityId,
    increment_id: request.incrementId,
    order_id: order.entity_id,
    order_increment_id: order.increment_id,
    state: 2,
    created_at: request.createdAt,
    order_currency_code: order.order_currency_code,
    payment_method: order.payment.method,
    subtotal,
    subtotal_incl_tax: sumMoney(priced.map((r) => r.line.row_total_incl_tax)),
    tax_amount: tax,
    shipping_amount: shipping,
    shipping_tax_amount: withShipping ? order.shipping_tax_amount : 0,
    shipping_incl_tax: withShipping ? order.shipping_incl_tax : 0,
    discount_amount: discount ? -discount : 0,
    discount_tax_compensation_amount: compensation,
    shipping_discount_tax_compensation_amount: withShipping ? order.shipping_discount_tax_compensation_amount : 0,
    grand_total: grandTotal,
    items: finishLines(rows.map((r) => r.line)),
    extension_attributes: {
      customer_balance_amount: balance,
      base_customer_balance_amount: balance,
      gift_cards_amount: giftCards,
      base_gift_cards_amount: giftCards,
    },
  }) as InvoicePayload;
  register(order, invoice, rows);
  return invoice;
}

/** Invoice::register: the order and its lines remember what was invoiced (and, captured, paid). */
function register(
  order: OrderPayload,
  invoice: InvoicePayload,
  rows: readonly { item: OrderItemPayload; line: DocumentItemPayload }[],
): void {
  for (const { item, line } of rows) {
    item.qty_invoiced = stored(item.qty_invoiced + line.qty);
    item.tax_invoiced = sumMoney([item.tax_invoiced, line.tax_amount]);
    item.discount_invoiced = sumMoney([item.discount_invoiced, line.discount_amount]);
    item.row_invoiced = sumMoney([item.row_invoiced, line.row_total]);
    item.discount_tax_compensation_invoiced = sumMoney([
      item.discount_tax_compensation_invoiced,
      line.discount_tax_compensation_amount,
    ]);
    Object.assign(item, withBase(item));
  }
  const shippingComp = invoice.shipping_discount_tax_compensation_amount;
  order.subtotal_invoiced = sumMoney([order.subtotal_invoiced, invoice.subtotal]);
  order.tax_invoiced = sumMoney([order.tax_invoiced, invoice.tax_amount]);
  order.discount_invoiced = sumMoney([order.discount_invoiced, invoice.discount_amount]);
  order.shipping_invoiced = sumMoney([order.shipping_invoiced, invoice.shipping_amount]);
  order.shipping_tax_invoiced = sumMoney([order.shipping_tax_invoiced, invoice.shipping_tax_amount]);
  order.discount_tax_compensation_invoiced = sumMoney([
    order.discount_tax_compensation_invoiced,
    invoice.discount_tax_compensation_amount,
    -shippingComp,
  ]);
  order.shipping_discount_tax_compensation_invoiced = sumMoney([
    order.shipping_discount_tax_compensation_invoiced,
    shippingComp,
  ]);
  order.total_invoiced = sumMoney([order.total_invoiced, invoice.grand_total]);
  order.total_paid = sumMoney([order.total_paid, invoice.grand_total]);
  const ext = order.extension_attributes;
  ext.gift_cards_invoiced = sumMoney([ext.gift_cards_invoiced, invoice.extension_attributes.gift_cards_amount]);
  ext.customer_balance_invoiced = sumMoney([
    ext.customer_balance_invoiced,
    invoice.extension_attributes.customer_balance_amount,
  ]);
  Object.assign(order, withBase(order));
}
