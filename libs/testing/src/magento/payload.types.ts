/** One rate's share of tax, as the REST API lists it under `extension_attributes.applied_taxes`. */
export type AppliedTaxPayload = {
  code: string;
  title: string;
  percent: number;
  amount: number;
  base_amount: number;
};

/** `extension_attributes.item_applied_taxes[]`: the rates on one product line, or on shipping. */
export type ItemAppliedTaxesPayload = {
  type: 'product' | 'shipping';
  item_id: number | null;
  associated_item_id: number | null;
  applied_taxes: AppliedTaxPayload[];
};

/** An order line as `GET /V1/orders/{id}` returns it (the money fields Magento keeps, base_ = order currency). */
export type OrderItemPayload = {
  item_id: number;
  order_id: number;
  parent_item_id: number | null;
  product_id: number;
  product_type: 'simple' | 'virtual' | 'downloadable' | 'configurable' | 'bundle';
  sku: string;
  name: string;
  is_virtual: 0 | 1;
  qty_ordered: number;
  qty_invoiced: number;
  qty_refunded: number;
  qty_canceled: number;
  original_price: number;
  price: number;
  price_incl_tax: number;
  row_total: number;
  row_total_incl_tax: number;
  tax_amount: number;
  tax_percent: number | null;
  discount_amount: number;
  discount_percent: number;
  discount_tax_compensation_amount: number;
  tax_invoiced: number;
  discount_invoiced: number;
  row_invoiced: number;
  discount_tax_compensation_invoiced: number;
  amount_refunded: number;
  tax_refunded: number;
  discount_refunded: number;
  discount_tax_compensation_refunded: number;
  [base: `base_${string}`]: number;
};

/** Running totals Magento keeps on the order as documents are created (…_invoiced, …_refunded). */
export type OrderProgress = {
  subtotal_invoiced: number;
  tax_invoiced: number;
  discount_invoiced: number;
  shipping_invoiced: number;
  shipping_tax_invoiced: number;
  discount_tax_compensation_invoiced: number;
  shipping_discount_tax_compensation_invoiced: number;
  total_invoiced: number;
  total_paid: number;
  subtotal_refunded: number;
  tax_refunded: number;
  discount_refunded: number;
  shipping_refunded: number;
  shipping_tax_refunded: number;
  discount_tax_compensation_refunded: number;
  shipping_discount_tax_compensation_refunded: number;
  adjustment_positive: number;
  adjustment_negative: number;
  total_refunded: number;
};

/** Store credit and gift card amounts (Adobe Commerce), in the extension attributes the REST API returns them in. */
export type TenderExtension = {
  customer_balance_amount: number;
  base_customer_balance_amount: number;
  gift_cards_amount: number;
  base_gift_cards_amount: number;
};

/** `GET /V1/orders/{id}` as the engine builds it. */
export type OrderPayload = OrderProgress & {
  entity_id: number;
  increment_id: string;
  state: 'new' | 'processing' | 'complete' | 'closed';
  status: string;
  created_at: string;
  updated_at: string;
  customer_id: number | null;
  customer_is_guest: 0 | 1;
  customer_email: string;
  customer_firstname: string;
  customer_lastname: string;
  order_currency_code: string;
  base_currency_code: string;
  base_to_order_rate: number;
  is_virtual: 0 | 1;
  subtotal: number;
  subtotal_incl_tax: number;
  tax_amount: number;
  shipping_amount: number;
  shipping_tax_amount: number;
  shipping_incl_tax: number;
  shipping_discount_amount: number;
  shipping_discount_tax_compensation_amount: number;
  shipping_description: string | null;
  discount_amount: number;
  discount_description: string | null;
  discount_tax_compensation_amount: number;
  grand_total: number;
  items: OrderItemPayload[];
  payment: { method: string };
  extension_attributes: TenderExtension & {
    customer_balance_invoiced: number;
    customer_balance_refunded: number;
    gift_cards_invoiced: number;
    gift_cards_refunded: number;
    applied_taxes: AppliedTaxPayload[];
    item_applied_taxes: ItemAppliedTaxesPayload[];
  };
  [base: `base_${string}`]: number | string;
};

/** A line of an invoice or credit memo. */
export type DocumentItemPayload = {
  entity_id: number;
  order_item_id: number;
  sku: string;
  name: string;
  qty: number;
  price: number;
  price_incl_tax: number;
  row_total: number;
  row_total_incl_tax: number;
  tax_amount: number;
  discount_amount: number;
  discount_tax_compensation_amount: number;
  [base: `base_${string}`]: number;
};

/** Totals an invoice and a credit memo share. */
export type DocumentTotals = {
  subtotal: number;
  subtotal_incl_tax: number;
  tax_amount: number;
  shipping_amount: number;
  shipping_tax_amount: number;
  shipping_incl_tax: number;
  discount_amount: number;
  discount_tax_compensation_amount: number;
  shipping_discount_tax_compensation_amount: number;
  grand_total: number;
};

/** `GET /V1/invoices/{id}`. */
export type InvoicePayload = DocumentTotals & {
  entity_id: number;
  increment_id: string;
  order_id: number;
  order_increment_id: string;
  state: number;
  created_at: string;
  order_currency_code: string;
  payment_method: string;
  items: DocumentItemPayload[];
  extension_attributes: TenderExtension;
  [base: `base_${string}`]: number;
};

/** `GET /V1/creditmemo/{id}`. */
export type CreditMemoPayload = DocumentTotals & {
  entity_id: number;
  increment_id: string;
  order_id: number;
  order_increment_id: string;
  invoice_id: number | null;
  state: number;
  created_at: string;
  order_currency_code: string;
  adjustment_positive: number;
  adjustment_negative: number;
  payment_method: string;
  items: DocumentItemPayload[];
  extension_attributes: TenderExtension;
  [base: `base_${string}`]: number;
};
