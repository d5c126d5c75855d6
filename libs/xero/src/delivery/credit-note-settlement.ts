/**
 * The credit-note settlement stage: applies each note's `planSettlement` in Xero (allocation to the order's
 * invoice, cash and tender refunds), looking a lost answer up before writing again.
 */
import type { XeroLinkRecord, XeroLinkUpdate } from '@xero-sync/persistence';
import { sha256Hex } from '@xero-sync/security';
import { cents, fromCents } from '../mapping/money';
import {
  mapAllocation,
  mapCreditNoteRefund,
  mapTenderRefund,
  TenderKind,
  tenderPartsOf,
} from '../mapping/payment.mapper';
import { XeroPaymentJson } from '../mapping/xero-documents';
import { elementErrors, XeroError } from '../xero.errors';
import { BatchWriter, Entry } from './batch-writer';
import { planSettlement } from './credit-note-settlement-plan';
import { DeliveryAction } from './delivery.types';
import { tenderLinkId } from './payment-plan';
import { PAYMENTS_POOL, paymentBatch } from './payment-stage';
import { afterAll } from './stage-decision';
import { NoteToSettle, StageContext } from './stage-context';
import { hashOf, Json, str } from './xero-values';

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
  // Payments the payment stage kept back (a short last batch) go in the same calls as these refunds.
  await writer.write(refunds, paymentBatch(ctx, writer, 'refunds'), { pool: PAYMENTS_POOL });
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
