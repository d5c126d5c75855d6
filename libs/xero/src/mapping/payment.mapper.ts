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
  return paymentOf({ Invoice: { InvoiceID: xeroInvoiceId } }, account, invoice, invoice.grand_total, timeZone);
}

/** A payment of `amount` on the store document's day, its Reference the store document's number. */
function paymentOf(
  target: Pick<XeroPaymentJson, 'Invoice' | 'CreditNote'>,
  account: string,
  doc: { created_at: string; increment_id: string },
  amount: number,
  timeZone: string,
): XeroPaymentJson {
  return {
    ...target,
    Account: { Code: account },
    Date: dateOf(doc.created_at, timeZone),
    Amount: roundTo(amount, 2),
    Reference: doc.increment_id,
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
  return paymentOf({ CreditNote: { CreditNoteID: creditNoteId } }, account, memo, amount, timeZone);
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
