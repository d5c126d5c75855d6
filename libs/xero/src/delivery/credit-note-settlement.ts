import type { XeroLinkRecord, XeroLinkUpdate, XeroMappingSettings } from '@xero-sync/persistence';
import { sha256Hex } from '@xero-sync/security';
import { cents, fromCents } from '../mapping/money';
import { mapAllocation, mapCreditNoteRefund, paymentAccountFor } from '../mapping/payment.mapper';
import { XeroPaymentJson } from '../mapping/xero-documents';
import { elementErrors, XeroError } from '../xero.errors';
import { BatchWriter, Entry } from './batch-writer';
import { DeliveryAction } from './delivery.types';
import { paymentBatch } from './payment-stage';
import { NoteToSettle, StageContext } from './stage-context';
import { hashOf, Json, str } from './xero-values';

/** How one credit note's open credit is applied. */
export interface SettlementPlan {
  /** Credit not applied yet (before this run). */
  remaining: number;
  /** Allocated to the order's invoice (0: none). */
  allocate: number;
  /** Refunded in cash after the allocation (0: nothing left). */
  refund: number;
  /** The refund's account; null = the payment method is not mapped, the credit stays open on the note. */
  account: string | null;
}

/**
 * A credit memo refunds money the store took: when that payment is in Xero (the store invoice it names was paid,
 * or, naming none, the order's payments cover it) the whole note is refunded with a payment on the credit note.
 * Otherwise (on account, nothing paid) it is allocated to the order's AUTHORISED invoice while that has an amount
 * due, and the rest refunded. Allocating a paid refund instead would leave the order's other store invoices more to
 * pay than Xero lets them ("payment exceeds the amount due"). Magento never refunds more than was paid.
 */
export function planSettlement(
  n: Pick<NoteToSettle, 'memo' | 'total' | 'link'>,
  orderLink: XeroLinkRecord,
  paidInvoice: XeroLinkRecord | undefined,
  mapping: XeroMappingSettings,
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
  const refund = fromCents(cents(remaining) - cents(allocate));
  return { remaining, allocate, refund, account: paymentAccountFor(mapping, n.memo.payment_method) };
}

/** Applies each credit note in Xero: allocations one call per note (as Xero's API has it), refunds batched. */
export async function settlementStage(ctx: StageContext, writer: BatchWriter): Promise<void> {
  const notes = ctx.notesToSettle.splice(0);
  if (notes.length === 0) return;
  const ids = notes.map((n) => n.item.entityId);
  const allocLinks = await ctx.links.read('creditmemo-allocation', ids);
  const refundLinks = await ctx.links.read('creditmemo-refund', ids);
  const paidInvoices = await ctx.links.read(
    'invoice',
    notes.flatMap((n) => (n.memo.invoice_id ? [String(n.memo.invoice_id)] : [])),
  );
  const refunds: Entry[] = [];
  for (const n of notes) {
    if (ctx.outcomes.stopped) return;
    const orderId = String(n.memo.order_id);
    const orderLink = ctx.orders.get(orderId)!;
    const plan = planSettlement(n, orderLink, paidInvoices.get(String(n.memo.invoice_id)), ctx.mapping);
    let action: DeliveryAction = n.link?.xeroId && n.link.contentHash ? 'update' : 'create';
    const cn = { xeroId: n.creditNoteId, kind: 'creditnote' as const };
    if (plan.allocate > 0) {
      try {
        await allocate(ctx, writer, n, orderLink, plan.allocate, allocLinks.get(n.item.entityId));
      } catch (err) {
        ctx.outcomes.fail(n.item, err);
        continue;
      }
      ctx.orders.moveAmounts(orderId, 0, plan.allocate);
      action = 'allocate';
    }
    if (plan.refund <= 0) {
      const changed = n.written || action === 'allocate';
      ctx.outcomes.finish(n.item, changed ? 'synced' : 'unchanged', changed ? action : 'none', 'OK', cn);
      continue;
    }
    if (plan.account === null) {
      const open = `credit of ${plan.refund} left open on the credit note (payment method not mapped)`;
      ctx.outcomes.finish(n.item, 'synced', action, open, cn);
      continue;
    }
    const body = mapCreditNoteRefund(n.memo, plan.account, n.creditNoteId, plan.refund, ctx.mapping.timeZone);
    const prior = refundLinks.get(n.item.entityId);
    if (prior?.pendingHash && !prior.xeroId) {
      try {
        if (await foundEarlierRefund(ctx, writer, n, body)) continue;
      } catch (err) {
        ctx.outcomes.fail(n.item, err);
        continue;
      }
    }
    refunds.push(refundEntry(ctx, n, body));
  }
  await writer.write(refunds, paymentBatch(ctx, writer, 'refunds'));
}

/** Allocates `amount` of the note to the order's invoice, unless a lost earlier allocation is found on the note. */
async function allocate(
  ctx: StageContext,
  writer: BatchWriter,
  n: NoteToSettle,
  orderLink: XeroLinkRecord,
  amount: number,
  prior: XeroLinkRecord | undefined,
): Promise<void> {
  const allocKey = ctx.links.key('creditmemo-allocation', n.item.entityId);
  let already = false;
  if (prior?.pendingHash && !prior.xeroId) {
    const note = await writer.single([n.item], () =>
      writer.xero.getCreditNote(ctx.tenantId, n.creditNoteId, writer.call('payment')),
    );
    already = ((note?.Allocations as Json[] | undefined) ?? []).some(
      (a) => str((a.Invoice as Json | undefined)?.InvoiceID) === orderLink.xeroId,
    );
  }
  if (!already) {
    await ctx.links.markPending(allocKey, `${n.creditNoteId}:${orderLink.xeroId}`, String(amount));
    const idem = sha256Hex([ctx.storeId, 'allocation', n.item.entityId, n.creditNoteId, amount].join('|'));
    const els = await writer.single([n.item], () =>
      writer.xero.createAllocation(
        ctx.tenantId,
        n.creditNoteId,
        mapAllocation(n.memo, orderLink.xeroId!, amount, ctx.mapping.timeZone),
        writer.call('payment', idem),
      ),
    );
    const errs = els[0] ? elementErrors(els[0]) : [];
    if (errs.length) throw new XeroError('VALIDATION', errs.join('; '), { xeroMessages: errs });
  }
  ctx.links.stage(allocKey, { xeroId: n.creditNoteId, total: amount });
  const allocated = fromCents(cents(n.link?.allocated ?? 0) + cents(amount));
  ctx.links.stage(ctx.links.key('creditmemo', n.item.entityId), { allocated }, false);
}

/** A lost refund answer: Xero's payments with this Reference on this credit note decide. */
async function foundEarlierRefund(
  ctx: StageContext,
  writer: BatchWriter,
  n: NoteToSettle,
  body: XeroPaymentJson,
): Promise<boolean> {
  const existing = await writer.single([n.item], () =>
    writer.xero.getPaymentsWhere(ctx.tenantId, `Reference=="${body.Reference}"`, writer.call('payment')),
  );
  const hit = existing.find(
    (p) => str((p.CreditNote as Json | undefined)?.CreditNoteID) === n.creditNoteId && p.Status !== 'DELETED',
  );
  if (!hit) return false;
  recordRefund(ctx, n, body, { xeroId: str(hit.PaymentID), total: body.Amount });
  ctx.outcomes.finish(n.item, 'synced', 'refund', 'OK (found the earlier refund in Xero)', {
    xeroId: n.creditNoteId,
    kind: 'creditnote',
  });
  return true;
}

function refundEntry(ctx: StageContext, n: NoteToSettle, body: XeroPaymentJson): Entry {
  const refundKey = ctx.links.key('creditmemo-refund', n.item.entityId);
  return ctx.entryFor(n.item, {
    link: refundKey,
    pending: true,
    businessKey: body.Reference,
    hash: hashOf(body),
    body,
    onOk: (el) => {
      recordRefund(ctx, n, body, {
        tenantId: ctx.tenantId,
        businessKey: body.Reference,
        xeroId: str(el.PaymentID),
        total: body.Amount,
      });
      ctx.outcomes.finish(n.item, 'synced', 'refund', 'OK', { xeroId: n.creditNoteId, kind: 'creditnote' });
    },
  });
}

function recordRefund(ctx: StageContext, n: NoteToSettle, body: XeroPaymentJson, set: XeroLinkUpdate): void {
  ctx.links.stage(ctx.links.key('creditmemo-refund', n.item.entityId), set);
  const refunded = fromCents(cents(n.link?.refunded ?? 0) + cents(body.Amount));
  ctx.links.stage(ctx.links.key('creditmemo', n.item.entityId), { refunded }, false);
}
