import type { MagentoInvoice } from '@xero-sync/contracts';
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import { cents, fromCents, sumMoney } from '../mapping/money';
import {
  mapInvoicePayment,
  mapTenderPayment,
  paymentAccountFor,
  TenderKind,
  tenderPartsOf,
} from '../mapping/payment.mapper';
import { XeroPaymentJson } from '../mapping/xero-documents';
import { XeroError } from '../xero.errors';
import { BatchSpec, BatchWriter, Entry } from './batch-writer';
import { DeliveryItem } from './delivery.types';
import { applySettled, finished, refused, Refused, Settled, waiting } from './stage-decision';
import { StageContext } from './stage-context';
import { hashOf, invoiceState, Json, str } from './xero-values';

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
function paysAnything(inv: MagentoInvoice, mapping: XeroMappingSettings): boolean {
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

/**
 * Decides an item whose Xero work is several elements: `done` is called once per element in Xero, and the item
 * finishes after the last one (a failing element decides the item first, as the first decision wins).
 */
export function afterAll(count: number, finish: () => void): () => void {
  let left = count;
  return () => {
    left -= 1;
    if (left === 0) finish();
  };
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
  const tenderIds = items.flatMap((i) =>
    tenderPartsOf(i.payload, ctx.mapping).map((p) => tenderLinkId(i.entityId, p.kind)),
  );
  const tenderLinks = tenderIds.length
    ? await ctx.links.read('invoice-tender', tenderIds)
    : new Map<string, XeroLinkRecord>();
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
    if (!paysAnything(item.payload, ctx.mapping)) continue;
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
