/**
 * Planning a store invoice's payments: which parts (cash, gift cards, store credit) still need a payment on the
 * order's Xero invoice, from which account, and whether they would overpay it. Pure decisions over links and the
 * mapping; sending them is `payment-stage.ts`.
 */
import type { MagentoInvoice } from '@xero-sync/contracts';
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import { cents, sumMoney } from '../mapping/money';
import {
  mapInvoicePayment,
  mapTenderPayment,
  paymentAccountFor,
  TenderKind,
  tenderPartsOf,
} from '../mapping/payment.mapper';
import { XeroPaymentJson } from '../mapping/xero-documents';
import { XeroError } from '../xero.errors';
import { finished, refused, Refused, Settled, waiting } from './stage-decision';

/** One payment of a store invoice: its cash part (Reference = the store invoice's number) or a tender's part. */
export interface PaymentPart {
  /** Where the part's payment is linked: `invoice/<id>` for cash, `invoice-tender/<id>:<tender>` for a tender. */
  entity: string;
  entityId: string;
  body: XeroPaymentJson;
  /** A pending marker is left over, so Xero's payments with this Reference decide first. */
  lookFirst: boolean;
}

export type PaymentDecision = Settled | { kind: 'write'; parts: PaymentPart[]; orderLink: XeroLinkRecord };

/** The link entity id of a tender's payment of a store invoice (or refund of a credit memo). */
export function tenderLinkId(entityId: string, kind: TenderKind): string {
  return `${entityId}:${kind}`;
}

/**
 * A store invoice (captured payment) → payments on its order's Xero invoice, once that is AUTHORISED (or PAID): the
 * cash part (grand_total) from the payment method's account, and the parts paid with gift cards and store credit
 * from their accounts, so the invoice (which carries the whole sale) is paid off as the store has it. A part whose
 * account is not set leaves that much due; a zero part pays nothing; parts already in Xero are not paid again. The
 * order link is read only when something is left to pay.
 */
export async function planPayment(
  inv: MagentoInvoice,
  link: XeroLinkRecord | undefined,
  mapping: XeroMappingSettings,
  loadOrder: (orderId: string) => Promise<XeroLinkRecord | undefined>,
  tenderLinks: Map<string, XeroLinkRecord> = new Map(),
): Promise<PaymentDecision> {
  const id = String(inv.entity_id);
  const account = paymentAccountFor(mapping, inv.payment_method);
  const tenders = tenderPartsOf(inv, mapping);
  const todo: {
    entity: string;
    entityId: string;
    link?: XeroLinkRecord;
    body: (invoiceId: string) => XeroPaymentJson;
  }[] = [];
  const notes: string[] = [];
  if (account === null)
    notes.push(`payment method ${inv.payment_method} is not mapped to an account; the invoice stays due`);
  else if (cents(inv.grand_total) > 0n && !link?.xeroId)
    todo.push({
      entity: 'invoice',
      entityId: id,
      link,
      body: (invoiceId) => mapInvoicePayment(inv, account, invoiceId, mapping.timeZone),
    });
  for (const part of tenders) {
    const { account: tenderAccount } = part;
    const entityId = tenderLinkId(id, part.kind);
    const partLink = tenderLinks.get(entityId);
    if (tenderAccount === null) notes.push(`no account is set for ${part.reference}: ${part.amount} stays due`);
    else if (!partLink?.xeroId)
      todo.push({
        entity: 'invoice-tender',
        entityId,
        link: partLink,
        body: (invoiceId) => mapTenderPayment(inv, { ...part, account: tenderAccount }, invoiceId, mapping.timeZone),
      });
  }
  if (todo.length === 0) {
    const recorded =
      link?.xeroId ?? tenders.map((p) => tenderLinks.get(tenderLinkId(id, p.kind))?.xeroId).find(Boolean);
    if (recorded) return finished('unchanged', 'none', 'payment already recorded in Xero', recorded, 'payment');
    if (notes.length) return finished('synced', 'none', notes.join('; '));
    // A free store invoice (100 % discount, zero-priced lines) took no money; Xero refuses a zero payment.
    return finished('synced', 'none', 'the store invoice total is 0: no payment to record');
  }
  const orderId = String(inv.order_id);
  const orderLink = await loadOrder(orderId);
  if (!orderLink?.xeroId) return waiting(`order ${inv.order_increment_id ?? orderId} is not in Xero yet`);
  if (orderLink.xeroStatus !== 'AUTHORISED' && orderLink.xeroStatus !== 'PAID')
    return waiting(`the order's invoice is ${orderLink.xeroStatus ?? 'unknown'} in Xero; payments need it AUTHORISED`);
  const invoiceId = orderLink.xeroId;
  const parts = todo.map((t) => ({
    entity: t.entity,
    entityId: t.entityId,
    body: t.body(invoiceId),
    lookFirst: Boolean(t.link?.pendingHash),
  }));
  return { kind: 'write', parts, orderLink };
}

/** Whether a store invoice has a part to pay from some account (its order's invoice is then authorised for it). */
export function paysAnything(inv: MagentoInvoice, mapping: XeroMappingSettings): boolean {
  return paymentAccountFor(mapping, inv.payment_method) !== null || tenderPartsOf(inv, mapping).some((p) => p.account);
}

/**
 * Xero refuses a payment over the invoice's amount due (as this run has it, reservations included); the parts of
 * one store invoice are paid together or not at all.
 */
export function overpays(bodies: XeroPaymentJson[], orderLink: XeroLinkRecord): Refused | undefined {
  const amount = sumMoney(bodies.map((b) => b.Amount));
  if (orderLink.amountDue === undefined || cents(amount) <= cents(orderLink.amountDue)) return undefined;
  return refused(
    new XeroError(
      'VALIDATION',
      `payment ${amount} exceeds the amount due ${orderLink.amountDue} on invoice ${orderLink.businessKey}`,
    ),
  );
}
