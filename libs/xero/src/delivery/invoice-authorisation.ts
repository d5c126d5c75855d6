/**
 * Before payments: a captured store invoice authorises its order's Xero invoice (still DRAFT or SUBMITTED) with
 * status-only batches, so its payment does not wait for an order update that may never come.
 */
import type { XeroLinkRecord } from '@xero-sync/persistence';
import { BatchWriter } from './batch-writer';
import { DeliveryItem } from './delivery.types';
import { paysAnything } from './payment-plan';
import { StageContext } from './stage-context';
import { invoiceState, Json, str } from './xero-values';

/** Store invoices this delivery still has to settle, with their links. */
export type PendingInvoices = { items: DeliveryItem<'invoice'>[]; links: Map<string, XeroLinkRecord> };

/**
 * A store invoice means the money was captured: the order's Xero invoice is authorised for it (status-only
 * batches of ≤ 50), even while the order's last known state still maps to DRAFT or SUBMITTED, instead of leaving the payment
 * waiting for an order update that may never come.
 */
export async function authoriseCapturedInvoices(
  ctx: StageContext,
  writer: BatchWriter,
  todo: PendingInvoices,
): Promise<void> {
  const { items: invoices, links } = todo;
  const drafts = new Map<string, { orderId: string; link: XeroLinkRecord }>();
  await ctx.orders.loadMany(invoices.map((i) => String(i.payload.order_id)));
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
  // ≤ batchSize elements a call, like every batch (a flush batch of 2,000 items can name more drafts than that).
  const rows: Json[] = [];
  for (let i = 0; i < bodies.length; i += writer.batchSize) {
    const part = bodies.slice(i, i + writer.batchSize);
    try {
      rows.push(
        ...(await writer.single(invoices, () =>
          writer.xero.upsertInvoices(ctx.tenantId, part as never, writer.call('invoice')),
        )),
      );
    } catch (err) {
      // The payments then wait as before, with the reason in the log.
      ctx.logger.warn(`could not authorise ${part.length} invoice(s) for captured payments: ${String(err)}`);
      if (ctx.outcomes.stopped) break;
    }
  }
  for (const el of rows) {
    const hit = drafts.get(str(el.InvoiceID) ?? '');
    if (!hit || str(el.Status) !== 'AUTHORISED') continue;
    const state = invoiceState(el);
    ctx.orders.remember(hit.orderId, { ...hit.link, ...state });
    ctx.links.stage(ctx.links.key('order', hit.orderId), state);
  }
}
