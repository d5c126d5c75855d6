import { MagentoCreditMemo, MagentoInvoice } from '@xero-sync/contracts';
import { XeroMappingSettings } from '@xero-sync/persistence';
import { tendersOf } from './applied-taxes';
import { cents, roundTo } from './money';
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

/** A tender that is not cash: Magento's gift_cards_amount and customer_balance_amount. */
export type TenderKind = 'giftCards' | 'storeCredit';

const TENDER_NAMES: Record<TenderKind, string> = { giftCards: 'gift card', storeCredit: 'store credit' };

/** The part of a store document paid (or refunded) with a tender, and the account it goes through. */
export interface TenderPart {
  kind: TenderKind;
  /** The Xero payment's Reference: the store document's number and the tender, e.g. "000000012 gift card". */
  reference: string;
  amount: number;
  /** From `mapping.tenderAccounts`; null leaves the part due (invoice) or open (credit note). */
  account: string | null;
}

/** The gift-card and store-credit parts of a store invoice or credit memo (only those with an amount). */
export function tenderPartsOf(
  doc: { increment_id: string },
  mapping: Pick<XeroMappingSettings, 'tenderAccounts'>,
): TenderPart[] {
  const amounts = tendersOf(doc);
  return (['giftCards', 'storeCredit'] as const)
    .filter((kind) => cents(amounts[kind]) > 0n)
    .map((kind) => ({
      kind,
      reference: `${doc.increment_id} ${TENDER_NAMES[kind]}`,
      amount: roundTo(amounts[kind], 2),
      account: mapping.tenderAccounts?.[kind] ?? null,
    }));
}

/** A tender's part of a store invoice → Payment on the order's Xero invoice from the tender's account. */
export function mapTenderPayment(
  invoice: MagentoInvoice,
  part: TenderPart & { account: string },
  xeroInvoiceId: string,
  timeZone = 'UTC',
): XeroPaymentJson {
  return {
    ...paymentOf({ Invoice: { InvoiceID: xeroInvoiceId } }, part.account, invoice, part.amount, timeZone),
    Reference: part.reference,
  };
}

/** A tender's part of a credit memo → refund (payment on the credit note) back to the tender's account. */
export function mapTenderRefund(
  memo: MagentoCreditMemo,
  part: TenderPart & { account: string },
  creditNoteId: string,
  amount: number,
  timeZone = 'UTC',
): XeroPaymentJson {
  return {
    ...paymentOf({ CreditNote: { CreditNoteID: creditNoteId } }, part.account, memo, amount, timeZone),
    Reference: part.reference,
  };
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
