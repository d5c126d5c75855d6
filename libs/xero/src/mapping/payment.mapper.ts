import { MagentoCreditMemo, MagentoInvoice } from '@xero-sync/contracts';
import { XeroMappingSettings } from '@xero-sync/persistence';
import { roundTo } from './money';
import { dateOf } from './invoice.mapper';
import { XeroAllocationJson, XeroPaymentJson } from './xero-documents';

/**
 * The bank/clearing account a payment method pays into; null means "leave the amount due" (e.g. purchase
 * orders). Unknown methods use the default account.
 */
export function paymentAccountFor(mapping: XeroMappingSettings, method: string | null | undefined): string | null {
  if (method && Object.prototype.hasOwnProperty.call(mapping.paymentAccounts, method))
    return mapping.paymentAccounts[method];
  return mapping.defaultPaymentAccount;
}

/** Store invoice (captured payment) → Payment on the order's Xero invoice; Reference = store invoice number. */
export function mapInvoicePayment(
  invoice: MagentoInvoice,
  account: string,
  xeroInvoiceId: string,
  timeZone = 'UTC',
): XeroPaymentJson {
  return {
    Invoice: { InvoiceID: xeroInvoiceId },
    Account: { Code: account },
    Date: dateOf(invoice.created_at, timeZone),
    Amount: roundTo(invoice.grand_total, 2),
    Reference: invoice.increment_id,
  };
}

/** The cash refund of a credit note (the part not allocated to the invoice). */
export function mapCreditNoteRefund(
  memo: MagentoCreditMemo,
  account: string,
  creditNoteId: string,
  amount: number,
  timeZone = 'UTC',
): XeroPaymentJson {
  return {
    CreditNote: { CreditNoteID: creditNoteId },
    Account: { Code: account },
    Date: dateOf(memo.created_at, timeZone),
    Amount: roundTo(amount, 2),
    Reference: memo.increment_id,
  };
}

export function mapAllocation(
  memo: MagentoCreditMemo,
  xeroInvoiceId: string,
  amount: number,
  timeZone = 'UTC',
): XeroAllocationJson {
  return {
    Invoice: { InvoiceID: xeroInvoiceId },
    Amount: roundTo(amount, 2),
    Date: dateOf(memo.created_at, timeZone),
  };
}
