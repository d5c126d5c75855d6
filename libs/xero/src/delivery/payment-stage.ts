/**
 * The payment stage: sends the parts `payment-plan.ts` decides as PUT /Payments (pending marker first; a lost
 * answer is found by Reference), reserving each part's amount on the order's invoice while it is in flight.
 */
import type { XeroLinkRecord } from '@xero-sync/persistence';
import { cents, fromCents } from '../mapping/money';
import { tenderPartsOf } from '../mapping/payment.mapper';
import { XeroPaymentJson } from '../mapping/xero-documents';
import { BatchSpec, BatchWriter, Entry, ShareOptions } from './batch-writer';
import { DeliveryItem } from './delivery.types';
import { authoriseCapturedInvoices, PendingInvoices } from './invoice-authorisation';
import { overpays, PaymentPart, planPayment, tenderLinkId } from './payment-plan';
import { afterAll, applySettled } from './stage-decision';
import { StageContext } from './stage-context';
import { hashOf, Json, str } from './xero-values';

/** Payments of store invoices (PUT /Payments, pending marker first; a lost answer is found by Reference). */
export async function paymentStage(ctx: StageContext, writer: BatchWriter): Promise<void> {
  const todo = await ctx.pendingWithLinks('invoice');
  if (todo) {
    await authoriseCapturedInvoices(ctx, writer, todo);
    await writer.write(
      await paymentEntries(ctx, writer, todo),
      paymentBatch(ctx, writer, 'payments'),
      sharedWithRefunds(ctx),
    );
  }
}

/** The pool payments and refunds share: both are PUT /Payments elements. */
export const PAYMENTS_POOL = 'payments';

/**
 * When the run has credit memos, a last short batch of payments waits for the settlement stage's refunds and goes
 * in one call with them; a payment of an order with a memo in this run is sent now, because the memo's credit
 * note and its settlement read whether that payment is in Xero.
 */
function sharedWithRefunds(ctx: StageContext): ShareOptions | undefined {
  const memoOrders = new Set(ctx.outcomes.pending('creditmemo').map((m) => String(m.payload.order_id)));
  if (memoOrders.size === 0) return undefined;
  return {
    pool: PAYMENTS_POOL,
    keepTail: (e) =>
      e.items.every(
        (i) => i.entity === 'invoice' && !memoOrders.has(String((i as DeliveryItem<'invoice'>).payload.order_id)),
      ),
  };
}

/** The payment elements of the store invoices that are ready; the others are settled on the spot. */
async function paymentEntries(
  ctx: StageContext,
  writer: BatchWriter,
  { items, links }: PendingInvoices,
): Promise<Entry[]> {
  const tenderIds = items.flatMap((i) =>
    tenderPartsOf(i.payload, ctx.mapping).map((p) => tenderLinkId(i.entityId, p.kind)),
  );
  const tenderLinks = tenderIds.length
    ? await ctx.links.read('invoice-tender', tenderIds)
    : new Map<string, XeroLinkRecord>();
  await ctx.orders.loadMany(items.map((i) => String(i.payload.order_id)));
  const entries: Entry[] = [];
  for (const item of items) {
    const d = await planPayment(
      item.payload,
      links.get(item.entityId),
      ctx.mapping,
      (id) => ctx.orders.load(id),
      tenderLinks,
    );
    if (d.kind !== 'write') {
      applySettled(ctx.outcomes, item, d);
      continue;
    }
    const ready = await partsToWrite(ctx, writer, item, d.parts, d.orderLink);
    if (!ready) continue;
    const over = overpays(
      ready.parts.map((p) => p.body),
      d.orderLink,
    );
    if (over) {
      applySettled(ctx.outcomes, item, over);
      continue;
    }
    const ids = [...ready.foundIds];
    const finish = () =>
      ctx.outcomes.finish(
        item,
        'synced',
        'payment',
        ready.foundIds.length ? 'OK (found the earlier payment in Xero)' : 'OK',
        { xeroId: ids[0], kind: 'payment' },
      );
    if (ready.parts.length === 0) {
      finish();
      continue;
    }
    const done = afterAll(ready.parts.length, finish);
    for (const part of ready.parts)
      entries.push(
        paymentEntry(ctx, item, part, d.orderLink, (pid) => {
          if (pid) ids.push(pid);
          done();
        }),
      );
  }
  return entries;
}

/**
 * The parts still to send: a part with a pending marker left over is first looked up in Xero (found: recorded,
 * not sent again). Undefined when a lookup failed (the item is decided by that failure).
 */
async function partsToWrite(
  ctx: StageContext,
  writer: BatchWriter,
  item: DeliveryItem<'invoice'>,
  parts: PaymentPart[],
  orderLink: XeroLinkRecord,
): Promise<{ parts: PaymentPart[]; foundIds: string[] } | undefined> {
  const ready: PaymentPart[] = [];
  const foundIds: string[] = [];
  for (const part of parts) {
    if (part.lookFirst) {
      try {
        const pid = await foundEarlierPayment(ctx, writer, item, part, orderLink);
        if (pid !== undefined) {
          foundIds.push(pid);
          continue;
        }
      } catch (err) {
        ctx.outcomes.fail(item, err);
        return undefined;
      }
    }
    ready.push(part);
  }
  return { parts: ready, foundIds };
}

/** Payments and refunds: PUT /Payments, answers matched by Reference. */
export function paymentBatch(ctx: StageContext, writer: BatchWriter, action: string): BatchSpec {
  return {
    action,
    lane: 'payment',
    keyField: 'Reference',
    send: (bodies, call) => writer.xero.createPayments(ctx.tenantId, bodies as XeroPaymentJson[], call),
  };
}

/** A previous attempt may have paid a part without us hearing: records that payment (its id) if Xero has it. */
async function foundEarlierPayment(
  ctx: StageContext,
  writer: BatchWriter,
  item: DeliveryItem<'invoice'>,
  part: PaymentPart,
  orderLink: XeroLinkRecord,
): Promise<string | undefined> {
  const { body } = part;
  const existing = await writer.single([item], () =>
    writer.xero.getPaymentsWhere(ctx.tenantId, `Reference=="${body.Reference}"`, writer.call('payment')),
  );
  const hit = existing.find(
    (p) => str((p.Invoice as Json | undefined)?.InvoiceID) === orderLink.xeroId && p.Status !== 'DELETED',
  );
  if (!hit) return undefined;
  const pid = str(hit.PaymentID);
  ctx.links.stage(ctx.links.key(part.entity, part.entityId), {
    xeroId: pid,
    parentXeroId: orderLink.xeroId,
    total: body.Amount,
  });
  ctx.orders.moveAmounts(String(item.payload.order_id), body.Amount, 0);
  return pid ?? '';
}

/** One part's payment element; `paid` is told the PaymentID once Xero has it. */
function paymentEntry(
  ctx: StageContext,
  item: DeliveryItem<'invoice'>,
  part: PaymentPart,
  orderLink: XeroLinkRecord,
  paid: (paymentId: string | undefined) => void,
): Entry {
  const { body } = part;
  const key = ctx.links.key(part.entity, part.entityId);
  // Reserve the amount so two store invoices in one batch cannot overpay.
  orderLink.amountDue = fromCents(cents(orderLink.amountDue ?? orderLink.total ?? 0) - cents(body.Amount));
  const release = () => {
    orderLink.amountDue = fromCents(cents(orderLink.amountDue ?? 0) + cents(body.Amount));
  };
  return ctx.entryFor(
    item,
    {
      link: key,
      pending: true,
      businessKey: body.Reference,
      hash: hashOf(body),
      body,
      onOk: (el) => {
        const pid = str(el.PaymentID);
        release();
        ctx.links.stage(key, {
          tenantId: ctx.tenantId,
          businessKey: body.Reference,
          xeroId: pid,
          parentXeroId: orderLink.xeroId,
          total: body.Amount,
          contentHash: hashOf(body),
        });
        ctx.orders.moveAmounts(String(item.payload.order_id), body.Amount, 0);
        paid(pid);
      },
    },
    release,
  );
}
