/**
 * Planning a credit note's settlement: how much of its open credit is allocated to the order's invoice, refunded
 * to gift cards and store credit, refunded in cash, or left open. Pure arithmetic over links and the mapping;
 * applying it in Xero is `credit-note-settlement.ts`.
 */
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import { cents, fromCents } from '../mapping/money';
import { paymentAccountFor, TenderKind, TenderPart, tenderPartsOf } from '../mapping/payment.mapper';
import { NoteToSettle } from './stage-context';

/** How one credit note's open credit is applied. */
export interface SettlementPlan {
  /** Credit not applied yet (before this run). */
  remaining: number;
  /** Allocated to the order's invoice (0: none). */
  allocate: number;
  /** Refunded in cash after the allocation and the tender parts (0: nothing left; never negative). */
  refund: number;
  /** The refund's account; null = the payment method is not mapped, the credit stays open on the note. */
  account: string | null;
  /** Refunds back to gift cards and store credit, from their accounts (parts not refunded yet). */
  tenders: { part: TenderPart & { account: string }; amount: number }[];
  /** Tender parts left open on the note because their account is not set. */
  open: number;
}

/**
 * A credit memo refunds money the store took: when that payment is in Xero (the store invoice it names was paid,
 * or, naming none, the order's payments cover it) the whole note is refunded with a payment on the credit note.
 * Otherwise (on account, nothing paid) it is allocated to the order's AUTHORISED invoice while that has an amount
 * due, and the rest refunded. Allocating a paid refund instead would leave the order's other store invoices more to
 * pay than Xero lets them ("payment exceeds the amount due"). Magento never refunds more than was paid. What the
 * memo gives back to gift cards and store credit is refunded to their accounts (the store's liability grows back),
 * only the rest in cash; `tenderDone` says which tender parts are already in Xero.
 */
export function planSettlement(
  n: Pick<NoteToSettle, 'memo' | 'total' | 'link'>,
  orderLink: XeroLinkRecord,
  paidInvoice: XeroLinkRecord | undefined,
  mapping: XeroMappingSettings,
  tenderDone: (kind: TenderKind) => boolean = () => false,
): SettlementPlan {
  const remaining = fromCents(cents(n.total) - cents(n.link?.allocated ?? 0) - cents(n.link?.refunded ?? 0));
  const due = orderLink.amountDue ?? 0;
  const refundsPaidMoney = n.memo.invoice_id
    ? Boolean(paidInvoice?.xeroId)
    : cents(orderLink.amountPaid ?? 0) >= cents(remaining);
  const allocate =
    remaining > 0 && due > 0 && orderLink.xeroStatus === 'AUTHORISED' && !refundsPaidMoney
      ? Math.min(remaining, due)
      : 0;
  // Nothing is applied beyond the note: a note with no credit left (or, from a payload refused since, below zero)
  // plans no refund at all rather than a negative one.
  let left = cents(remaining) > cents(allocate) ? cents(remaining) - cents(allocate) : 0n;
  const tenders: SettlementPlan['tenders'] = [];
  let open = 0n;
  for (const part of tenderPartsOf(n.memo, mapping)) {
    if (tenderDone(part.kind) || left <= 0n) continue;
    const amount = cents(part.amount) < left ? cents(part.amount) : left;
    left -= amount;
    const { account } = part;
    if (account === null) open += amount;
    else tenders.push({ part: { ...part, account }, amount: fromCents(amount) });
  }
  return {
    remaining,
    allocate,
    refund: fromCents(left),
    account: paymentAccountFor(mapping, n.memo.payment_method),
    tenders,
    open: fromCents(open),
  };
}
