import type { XeroLinkRecord, XeroLinkUpdate, XeroMappingSettings } from '@xero-sync/persistence';
import { sha256Hex } from '@xero-sync/security';
import { cents, fromCents } from '../mapping/money';
import {
  mapAllocation,
  mapCreditNoteRefund,
  mapTenderRefund,
  paymentAccountFor,
  TenderKind,
  TenderPart,
  tenderPartsOf,
} from '../mapping/payment.mapper';
import { XeroPaymentJson } from '../mapping/xero-documents';
import { elementErrors, XeroError } from '../xero.errors';
import { BatchWriter, Entry } from './batch-writer';
import { DeliveryAction } from './delivery.types';
import { afterAll, paymentBatch, tenderLinkId } from './payment-stage';
import { NoteToSettle, StageContext } from './stage-context';
import { hashOf, Json, str } from './xero-values';

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

/** One refund element of a note: its cash part or a tender's part, and where it is linked. */
interface RefundPart {
  entity: string;
  entityId: string;
  body: XeroPaymentJson;
  prior?: XeroLinkRecord;
}

/**
 * Applies each credit note in Xero: allocations one call per note (as Xero's API has it), refunds (cash and tender
 * parts) batched; a note is decided once all its parts are in Xero.
 */
export async function settlementStage(ctx: StageContext, writer: BatchWriter): Promise<void> {
  const notes = ctx.notesToSettle.splice(0);
  if (notes.length === 0) return;
  const ids = notes.map((n) => n.item.entityId);
  const allocLinks = await ctx.links.read('creditmemo-allocation', ids);
  const refundLinks = await ctx.links.read('creditmemo-refund', ids);
  const tenderIds = notes.flatMap((n) =>
    tenderPartsOf(n.memo, ctx.mapping).map((p) => tenderLinkId(n.item.entityId, p.kind)),
  );
  const tenderLinks = tenderIds.length
    ? await ctx.links.read('creditmemo-tender', tenderIds)
    : new Map<string, XeroLinkRecord>();
  const paidInvoices = await ctx.links.read(
    'invoice',
    notes.flatMap((n) => (n.memo.invoice_id ? [String(n.memo.invoice_id)] : [])),
  );
  const refunds: Entry[] = [];
  for (const n of notes) {
    if (ctx.outcomes.stopped) return;
    const orderId = String(n.memo.order_id);
    const orderLink = ctx.orders.get(orderId)!;
    const tenderLink = (kind: TenderKind) => tenderLinks.get(tenderLinkId(n.item.entityId, kind));
    const plan = planSettlement(n, orderLink, paidInvoices.get(String(n.memo.invoice_id)), ctx.mapping, (kind) =>
      Boolean(tenderLink(kind)?.xeroId),
    );
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
    const notes: string[] = [];
    if (plan.open > 0) notes.push(`credit of ${plan.open} left open on the credit note (no tender account set)`);
    const parts: RefundPart[] = plan.tenders.map(({ part, amount }) => ({
      entity: 'creditmemo-tender',
      entityId: tenderLinkId(n.item.entityId, part.kind),
      body: mapTenderRefund(n.memo, part, n.creditNoteId, amount, ctx.mapping.timeZone),
      prior: tenderLink(part.kind),
    }));
    if (plan.refund > 0 && plan.account === null)
      notes.push(`credit of ${plan.refund} left open on the credit note (payment method not mapped)`);
    else if (plan.refund > 0)
      parts.unshift({
        entity: 'creditmemo-refund',
        entityId: n.item.entityId,
        body: mapCreditNoteRefund(n.memo, plan.account!, n.creditNoteId, plan.refund, ctx.mapping.timeZone),
        prior: refundLinks.get(n.item.entityId),
      });
    const message = notes.length ? notes.join('; ') : 'OK';
    if (parts.length === 0) {
      const changed = n.written || action === 'allocate' || notes.length > 0;
      ctx.outcomes.finish(n.item, changed ? 'synced' : 'unchanged', changed ? action : 'none', message, cn);
      continue;
    }
    const ready: RefundPart[] = [];
    let found = 0;
    let failed = false;
    for (const part of parts) {
      if (part.prior?.pendingHash && !part.prior.xeroId) {
        try {
          if (await foundEarlierRefund(ctx, writer, n, part)) {
            found += 1;
            continue;
          }
        } catch (err) {
          ctx.outcomes.fail(n.item, err);
          failed = true;
          break;
        }
      }
      ready.push(part);
    }
    if (failed) continue;
    const finish = () =>
      ctx.outcomes.finish(
        n.item,
        'synced',
        'refund',
        found && message === 'OK' ? 'OK (found the earlier refund in Xero)' : message,
        cn,
      );
    if (ready.length === 0) {
      finish();
      continue;
    }
    const done = afterAll(ready.length, finish);
    for (const part of ready) refunds.push(refundEntry(ctx, n, part, done));
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
  part: RefundPart,
): Promise<boolean> {
  const { body } = part;
  const existing = await writer.single([n.item], () =>
    writer.xero.getPaymentsWhere(ctx.tenantId, `Reference=="${body.Reference}"`, writer.call('payment')),
  );
  const hit = existing.find(
    (p) => str((p.CreditNote as Json | undefined)?.CreditNoteID) === n.creditNoteId && p.Status !== 'DELETED',
  );
  if (!hit) return false;
  recordRefund(ctx, n, part, { xeroId: str(hit.PaymentID), total: body.Amount });
  return true;
}

function refundEntry(ctx: StageContext, n: NoteToSettle, part: RefundPart, done: () => void): Entry {
  const { body } = part;
  return ctx.entryFor(n.item, {
    link: ctx.links.key(part.entity, part.entityId),
    pending: true,
    businessKey: body.Reference,
    hash: hashOf(body),
    body,
    onOk: (el) => {
      recordRefund(ctx, n, part, {
        tenantId: ctx.tenantId,
        businessKey: body.Reference,
        xeroId: str(el.PaymentID),
        total: body.Amount,
      });
      done();
    },
  });
}

/** What each note had refunded when this run began plus what this run refunded on it (several parts add up). */
const refundedSoFar = new WeakMap<NoteToSettle, bigint>();

function recordRefund(ctx: StageContext, n: NoteToSettle, part: RefundPart, set: XeroLinkUpdate): void {
  ctx.links.stage(ctx.links.key(part.entity, part.entityId), set);
  const refunded = (refundedSoFar.get(n) ?? cents(n.link?.refunded ?? 0)) + cents(part.body.Amount);
  refundedSoFar.set(n, refunded);
  ctx.links.stage(ctx.links.key('creditmemo', n.item.entityId), { refunded: fromCents(refunded) }, false);
}
