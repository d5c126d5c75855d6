import type { MagentoInvoice } from '@xero-sync/contracts';
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import { cents, fromCents } from '../mapping/money';
import { mapInvoicePayment, paymentAccountFor } from '../mapping/payment.mapper';
import { XeroPaymentJson } from '../mapping/xero-documents';
import { XeroError } from '../xero.errors';
import { BatchSpec, BatchWriter, Entry } from './batch-writer';
import { DeliveryItem } from './delivery.types';
import { applySettled, finished, refused, Refused, Settled, waiting } from './stage-decision';
import { StageContext } from './stage-context';
import { hashOf, invoiceState, Json, str } from './xero-values';

export type PaymentDecision =
  | Settled
  /** `lookFirst`: a pending marker is left over, so Xero's payments with this Reference decide first. */
  | { kind: 'write'; body: XeroPaymentJson; orderLink: XeroLinkRecord; lookFirst: boolean };

/**
 * A store invoice (captured payment) → a payment on its order's Xero invoice, once that is AUTHORISED (or PAID);
 * an unmapped payment method leaves the invoice due, a zero total pays nothing. The order link is read only
 * when the earlier checks pass.
 */
export async function planPayment(
  inv: MagentoInvoice,
  link: XeroLinkRecord | undefined,
  mapping: XeroMappingSettings,
  loadOrder: (orderId: string) => Promise<XeroLinkRecord | undefined>,
): Promise<PaymentDecision> {
  if (link?.xeroId) return finished('unchanged', 'none', 'payment already recorded in Xero', link.xeroId, 'payment');
  const account = paymentAccountFor(mapping, inv.payment_method);
  if (account === null)
    return finished(
      'synced',
      'none',
      `payment method ${inv.payment_method} is not mapped to an account; the invoice stays due`,
    );
  const orderId = String(inv.order_id);
  const orderLink = await loadOrder(orderId);
  if (!orderLink?.xeroId) return waiting(`order ${inv.order_increment_id ?? orderId} is not in Xero yet`);
  if (orderLink.xeroStatus !== 'AUTHORISED' && orderLink.xeroStatus !== 'PAID')
    return waiting(`the order's invoice is ${orderLink.xeroStatus ?? 'unknown'} in Xero; payments need it AUTHORISED`);
  const body = mapInvoicePayment(inv, account, orderLink.xeroId, mapping.timeZone);
  // A free store invoice (100 % discount, zero-priced lines) took no money; Xero refuses a zero payment.
  if (cents(body.Amount) <= 0) return finished('synced', 'none', 'the store invoice total is 0: no payment to record');
  return { kind: 'write', body, orderLink, lookFirst: Boolean(link?.pendingHash) };
}

/** Xero refuses a payment over the invoice's amount due (as this run has it, reservations included). */
export function overpays(body: XeroPaymentJson, orderLink: XeroLinkRecord): Refused | undefined {
  if (orderLink.amountDue === undefined || cents(body.Amount) <= cents(orderLink.amountDue)) return undefined;
  return refused(
    new XeroError(
      'VALIDATION',
      `payment ${body.Amount} exceeds the amount due ${orderLink.amountDue} on invoice ${orderLink.businessKey}`,
    ),
  );
}

/** Store invoices this delivery still has to settle, with their links. */
type PendingInvoices = { items: DeliveryItem<'invoice'>[]; links: Map<string, XeroLinkRecord> };

/** Payments of store invoices (PUT /Payments, pending marker first; a lost answer is found by Reference). */
export async function paymentStage(ctx: StageContext, writer: BatchWriter): Promise<void> {
  const todo = await ctx.pendingWithLinks('invoice');
  if (todo) {
    await authoriseCapturedInvoices(ctx, writer, todo);
    await writer.write(await paymentEntries(ctx, writer, todo), paymentBatch(ctx, writer, 'payments'));
  }
}

/** The payment elements of the store invoices that are ready; the others are settled on the spot. */
async function paymentEntries(
  ctx: StageContext,
  writer: BatchWriter,
  { items, links }: PendingInvoices,
): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const item of items) {
    const d = await planPayment(item.payload, links.get(item.entityId), ctx.mapping, (id) => ctx.orders.load(id));
    if (d.kind !== 'write') {
      applySettled(ctx.outcomes, item, d);
      continue;
    }
    if (d.lookFirst) {
      try {
        if (await foundEarlierPayment(ctx, writer, item, d)) continue;
      } catch (err) {
        ctx.outcomes.fail(item, err);
        continue;
      }
    }
    const over = overpays(d.body, d.orderLink);
    if (over) applySettled(ctx.outcomes, item, over);
    else entries.push(paymentEntry(ctx, item, d));
  }
  return entries;
}

/**
 * A store invoice means the money was captured: the order's Xero invoice is authorised for it (one status-only
 * batch), even while the order's last known state still maps to DRAFT or SUBMITTED, instead of leaving the payment
 * waiting for an order update that may never come.
 */
async function authoriseCapturedInvoices(ctx: StageContext, writer: BatchWriter, todo: PendingInvoices): Promise<void> {
  const { items: invoices, links } = todo;
  const drafts = new Map<string, { orderId: string; link: XeroLinkRecord }>();
  for (const item of invoices) {
    if (links.get(item.entityId)?.xeroId) continue;
    if (paymentAccountFor(ctx.mapping, item.payload.payment_method) === null) continue;
    const orderId = String(item.payload.order_id);
    const link = await ctx.orders.load(orderId);
    if (link?.xeroId && (link.xeroStatus === 'DRAFT' || link.xeroStatus === 'SUBMITTED'))
      drafts.set(link.xeroId, { orderId, link });
  }
  if (drafts.size === 0) return;
  const bodies = [...drafts.values()].map(({ link }) => ({
    InvoiceID: link.xeroId,
    InvoiceNumber: link.businessKey,
    Status: 'AUTHORISED',
  }));
  let rows: Json[];
  try {
    rows = await writer.single(invoices, () =>
      writer.xero.upsertInvoices(ctx.tenantId, bodies as never, writer.call('invoice')),
    );
  } catch (err) {
    // The payments then wait as before, with the reason in the log.
    ctx.logger.warn(`could not authorise ${drafts.size} invoice(s) for captured payments: ${String(err)}`);
    return;
  }
  for (const el of rows) {
    const hit = drafts.get(str(el.InvoiceID) ?? '');
    if (!hit || str(el.Status) !== 'AUTHORISED') continue;
    const state = invoiceState(el);
    ctx.orders.remember(hit.orderId, { ...hit.link, ...state });
    ctx.links.stage(ctx.links.key('order', hit.orderId), state);
  }
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

/** A previous attempt may have paid without us hearing: records that payment if Xero has it. */
async function foundEarlierPayment(
  ctx: StageContext,
  writer: BatchWriter,
  item: DeliveryItem<'invoice'>,
  d: Extract<PaymentDecision, { kind: 'write' }>,
): Promise<boolean> {
  const { body, orderLink } = d;
  const existing = await writer.single([item], () =>
    writer.xero.getPaymentsWhere(ctx.tenantId, `Reference=="${body.Reference}"`, writer.call('payment')),
  );
  const hit = existing.find(
    (p) => str((p.Invoice as Json | undefined)?.InvoiceID) === orderLink.xeroId && p.Status !== 'DELETED',
  );
  if (!hit) return false;
  ctx.links.stage(ctx.links.key('invoice', item.entityId), {
    xeroId: str(hit.PaymentID),
    parentXeroId: orderLink.xeroId,
    total: body.Amount,
  });
  ctx.orders.moveAmounts(String(item.payload.order_id), body.Amount, 0);
  ctx.outcomes.finish(item, 'synced', 'payment', 'OK (found the earlier payment in Xero)', {
    xeroId: str(hit.PaymentID),
    kind: 'payment',
  });
  return true;
}

function paymentEntry(
  ctx: StageContext,
  item: DeliveryItem<'invoice'>,
  d: Extract<PaymentDecision, { kind: 'write' }>,
): Entry {
  const { body, orderLink } = d;
  const key = ctx.links.key('invoice', item.entityId);
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
        ctx.outcomes.finish(item, 'synced', 'payment', 'OK', { xeroId: pid, kind: 'payment' });
      },
    },
    release,
  );
}
