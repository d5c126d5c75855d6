import type { MagentoOrder } from '@xero-sync/contracts';
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import { contactEntityIdForOrder } from '../mapping/contact.mapper';
import { billableItems, MappedInvoice, mapOrderInvoice } from '../mapping/invoice.mapper';
import { MappedTotals } from '../mapping/xero-documents';
import { cents } from '../mapping/money';
import { XeroError } from '../xero.errors';
import { BatchWriter, Entry } from './batch-writer';
import { DeliveryItem } from './delivery.types';
import { applySettled, finished, refused, Settled, waiting } from './stage-decision';
import { StageContext, SyncedRefs } from './stage-context';
import { hashOf, invoiceState, Json, numOf, str } from './xero-values';

type InvoiceBody = MappedInvoice['body'] & { InvoiceID?: string };
type StatusBody = { InvoiceID: string; InvoiceNumber: string; Status: 'VOIDED' | 'DELETED' };

export type InvoiceDecision =
  | Settled
  | {
      kind: 'write';
      body: InvoiceBody;
      hash: string;
      action: 'create' | 'update';
      mapped: MappedInvoice;
      contactId: string;
    }
  | { kind: 'cancel'; body: StatusBody; hash: string; action: 'void' | 'delete' };

/** Cancelled order: delete a draft, void an unpaid authorised invoice, leave a paid one alone. */
export function planCancel(link: XeroLinkRecord | undefined): InvoiceDecision {
  const invoiceId = link?.xeroId;
  if (!invoiceId) return finished('synced', 'none', 'order cancelled before it reached Xero; nothing posted');
  const status = link.xeroStatus;
  if (status === 'VOIDED' || status === 'DELETED')
    return finished('unchanged', 'none', `invoice already ${status}`, invoiceId, 'invoice');
  if (status === 'PAID' || (link.amountPaid ?? 0) > 0 || (link.amountCredited ?? 0) > 0)
    return {
      ...finished(
        'synced',
        'none',
        'invoice has payments in Xero; left alone (refund it with a credit memo)',
        invoiceId,
        'invoice',
      ),
      warn: 'cancelled but its Xero invoice has payments; left alone',
    };
  const target = status === 'AUTHORISED' ? 'VOIDED' : 'DELETED';
  const body: StatusBody = { InvoiceID: invoiceId, InvoiceNumber: link.businessKey, Status: target };
  return { kind: 'cancel', body, hash: hashOf(body), action: target === 'VOIDED' ? 'void' : 'delete' };
}

/**
 * One order's invoice: waits while its contact or an item is not in Xero, never edits a paid or credited invoice
 * (Xero locks them), never reuses the number of a voided/deleted one; unchanged content costs nothing.
 */
export function planInvoice(
  order: MagentoOrder,
  link: XeroLinkRecord | undefined,
  refs: { contacts: SyncedRefs; itemCodes: SyncedRefs },
  mapping: XeroMappingSettings,
): InvoiceDecision {
  if (order.state === 'canceled') return planCancel(link);
  const contactKey = contactEntityIdForOrder(order);
  const contactId = refs.contacts.get(contactKey);
  if (!contactId)
    return waiting(
      refs.contacts.failed(contactKey)
        ? `the contact ${refs.contacts.failureOf(contactKey) ?? 'could not be synced'}`
        : 'the contact is not synced yet',
    );
  const missing = billableItems(order).find((l) => !refs.itemCodes.has(l.sku));
  if (missing)
    return waiting(
      refs.itemCodes.failed(missing.sku)
        ? `item ${missing.sku} ${refs.itemCodes.failureOf(missing.sku) ?? 'could not be synced'}`
        : `item ${missing.sku} is not synced yet`,
    );
  let mapped: MappedInvoice;
  try {
    mapped = mapOrderInvoice(order, mapping, {
      contact: { ContactID: contactId },
      itemCode: (sku) => refs.itemCodes.get(sku)!,
    });
  } catch (err) {
    return refused(err);
  }
  const hash = hashOf(mapped.body);
  const invoiceId = link?.xeroId;
  if (invoiceId && link?.contentHash === hash) return finished('unchanged', 'none', 'OK', invoiceId, 'invoice');
  if (link?.xeroStatus === 'VOIDED' || link?.xeroStatus === 'DELETED')
    return refused(
      new XeroError(
        'VALIDATION',
        `invoice ${link.businessKey} is ${link.xeroStatus} in Xero and its number cannot be reused`,
      ),
    );
  if (invoiceId && link && isSettled(link))
    return finished('synced', 'none', notEdited(link.xeroStatus), invoiceId, 'invoice');
  // Xero never takes an authorised invoice back to draft; a captured payment may have authorised it already.
  const status = link?.xeroStatus === 'AUTHORISED' ? 'AUTHORISED' : mapped.body.Status;
  const body = invoiceId ? { ...mapped.body, Status: status, InvoiceID: invoiceId } : mapped.body;
  return { kind: 'write', body, hash, action: invoiceId ? 'update' : 'create', mapped, contactId };
}

/** Whether Xero holds payments or credits against the invoice (it then refuses any edit). */
function isSettled(state: Partial<XeroLinkRecord>): boolean {
  return state.xeroStatus === 'PAID' || (state.amountPaid ?? 0) > 0 || (state.amountCredited ?? 0) > 0;
}

/** The outcome message of an order change left out of a settled invoice. */
function notEdited(status: string | undefined): string {
  return `invoice has payments or credits in Xero (${status}); not edited`;
}

/** Invoices of orders (POST /Invoices, create-or-update by InvoiceNumber; void/delete on cancel). */
export async function invoiceStage(ctx: StageContext, writer: BatchWriter): Promise<void> {
  const todo = await ctx.pendingWithLinks('order');
  if (!todo) return;
  const { items: orders, links } = todo;
  await findLostInvoices(ctx, writer, orders, links);
  const entries: Entry[] = [];
  const locked: LockedUpdate[] = [];
  for (const item of orders) {
    const link = links.get(item.entityId);
    if (link) {
      ctx.orders.remember(item.entityId, link);
      ctx.orders.noteStorePaid(item.entityId, item.payload, link);
    }
    const d = planInvoice(item.payload, link, ctx, ctx.mapping);
    if (d.kind === 'write') ctx.outcomes.noteTotals(item, d.mapped.totals);
    if (d.kind === 'finish' && d.warn) ctx.logger.warn(`order ${item.payload.increment_id} ${d.warn}`);
    if (d.kind === 'write') entries.push(lockAware(invoiceEntry(ctx, item, link, d), d.action, locked));
    else if (d.kind === 'cancel') entries.push(cancelEntry(ctx, item, d));
    else applySettled(ctx.outcomes, item, d);
  }
  await writer.write(entries, {
    action: 'invoices',
    lane: 'invoice',
    keyField: 'InvoiceNumber',
    send: (bodies, call) => writer.xero.upsertInvoices(ctx.tenantId, bodies as never, call),
  });
  await settleLocked(ctx, writer, locked);
}

/** Xero's answer to an edit of an invoice it has locked (paid, credited, voided, or lines of a paid one). */
export const LOCKED_INVOICE_MESSAGE = 'Invoice not of valid status for modification';

/** An order's update Xero refused because the invoice is locked, with the error it fails with unless settled. */
interface LockedUpdate {
  entry: Entry;
  error: XeroError;
}

/**
 * An update Xero refused as locked is held back from failing: a payment or credit may have reached Xero after this
 * run read the link (in Immediately mode an order's change and its store invoice are delivered side by side, and
 * a store invoice's payment locks the invoice the order's change then edits). `settleLocked` decides it.
 */
function lockAware(entry: Entry, action: 'create' | 'update', locked: LockedUpdate[]): Entry {
  if (action !== 'update') return entry;
  return {
    ...entry,
    onFail: (err) => {
      if (err.xeroMessages?.includes(LOCKED_INVOICE_MESSAGE)) locked.push({ entry, error: err });
      else return entry.onFail(err);
    },
  };
}

/**
 * Reads the refused invoices' state from Xero (one call by their numbers): an invoice that has payments or credits
 * is left as it is, exactly as planInvoice leaves one the link already knows is paid (synced, "not edited"), and the
 * link learns its state; anything else fails with Xero's own message; when the lookup fails they are deferred.
 */
async function settleLocked(ctx: StageContext, writer: BatchWriter, locked: LockedUpdate[]): Promise<void> {
  if (locked.length === 0) return;
  let rows: Json[];
  try {
    rows = await writer.single(
      locked.flatMap((l) => l.entry.items),
      () =>
        writer.xero.getInvoicesByNumbers(
          ctx.tenantId,
          locked.map((l) => l.entry.businessKey),
          writer.call('invoice'),
        ),
    );
  } catch (err) {
    // Not decided on a guess: tried again later, when the link or Xero tells.
    const e = err instanceof XeroError ? err : new XeroError('UNAVAILABLE', String(err));
    const message = `${LOCKED_INVOICE_MESSAGE}; its state in Xero could not be read (${e.message})`;
    for (const item of locked.flatMap((l) => l.entry.items))
      ctx.outcomes.finish(item, 'deferred', undefined, message, { error: e });
    return;
  }
  for (const l of locked) {
    const hit = rows.find((r) => str(r.InvoiceNumber)?.toLowerCase() === l.entry.businessKey.toLowerCase());
    const state = hit ? invoiceState(hit) : undefined;
    if (!state || !isSettled(state)) {
      await l.entry.onFail(l.error);
      continue;
    }
    ctx.links.stage(l.entry.link, state);
    for (const item of l.entry.items) {
      const known = ctx.orders.get(item.entityId);
      if (known) ctx.orders.remember(item.entityId, { ...known, ...state });
      ctx.outcomes.finish(item, 'synced', 'none', notEdited(state.xeroStatus), {
        xeroId: state.xeroId,
        kind: 'invoice',
      });
    }
  }
}

/** A lost create's answer: the invoice may be in Xero already; its number finds it (its state joins the link). */
async function findLostInvoices(
  ctx: StageContext,
  writer: BatchWriter,
  orders: DeliveryItem<'order'>[],
  links: Map<string, XeroLinkRecord>,
): Promise<void> {
  const lost = orders.filter((o) => {
    const l = links.get(o.entityId);
    return l && !l.xeroId && l.pendingHash;
  });
  if (lost.length === 0) return;
  const numbers = lost.map((o) => links.get(o.entityId)!.businessKey);
  const rows = await writer.single(lost, () =>
    writer.xero.getInvoicesByNumbers(ctx.tenantId, numbers, writer.call('invoice')),
  );
  for (const o of lost) {
    const l = links.get(o.entityId)!;
    const hit = rows.find((r) => str(r.InvoiceNumber)?.toLowerCase() === l.businessKey.toLowerCase());
    if (hit) links.set(o.entityId, { ...l, ...invoiceState(hit) });
  }
}

function invoiceEntry(
  ctx: StageContext,
  item: DeliveryItem<'order'>,
  link: XeroLinkRecord | undefined,
  d: Extract<InvoiceDecision, { kind: 'write' }>,
): Entry {
  const order = item.payload;
  const key = ctx.links.key('order', item.entityId);
  const number = d.mapped.body.InvoiceNumber;
  return ctx.entryFor(item, {
    link: key,
    businessKey: number,
    hash: d.hash,
    body: d.body,
    onOk: (el) => {
      const state = invoiceState(el);
      const differs = postedDifference(number, d.mapped.totals, state.total, numOf(el.TotalTax));
      const update = {
        tenantId: ctx.tenantId,
        businessKey: number,
        // A document that came out other than the store's is not "unchanged" next time: Sync Now posts it again.
        ...(differs ? {} : { contentHash: d.hash }),
        contactXeroId: d.contactId,
        currencyCode: order.order_currency_code,
        orderNumber: order.increment_id,
        lineTaxes: d.mapped.lineTaxTypes,
        storePaid: order.total_paid ?? 0,
        ...state,
      };
      ctx.links.stage(key, update);
      ctx.orders.remember(item.entityId, { ...(link ?? ({} as XeroLinkRecord)), ...update, ...key });
      if (differs) ctx.outcomes.fail(item, differs);
      else
        ctx.outcomes.finish(item, 'synced', d.action, okMessage(d.mapped.notes), {
          xeroId: state.xeroId,
          kind: 'invoice',
        });
    },
  });
}

/** 'OK', with what the mapping had to say (e.g. a tax rate inferred because the payload named none). */
export function okMessage(notes: string[]): string {
  return notes.length ? `OK; ${notes.join('; ')}` : 'OK';
}

/**
 * A posted document whose Xero total or tax is not the store's is an error, never OK: it names both figures.
 * Reproducing Xero's arithmetic before posting makes this rare; it means Xero computed otherwise.
 */
export function postedDifference(
  number: string,
  totals: MappedTotals,
  xeroTotal: number | undefined,
  xeroTax: number | undefined,
): XeroError | undefined {
  const problems: string[] = [];
  if (xeroTotal !== undefined && cents(xeroTotal) !== cents(totals.storeTotal))
    problems.push(`total ${xeroTotal.toFixed(2)} where the store has ${totals.storeTotal.toFixed(2)}`);
  if (xeroTax !== undefined && totals.storeTax !== undefined && cents(xeroTax) !== cents(totals.storeTax))
    problems.push(`tax ${xeroTax.toFixed(2)} where the store has ${totals.storeTax.toFixed(2)}`);
  if (problems.length === 0) return undefined;
  return new XeroError('VALIDATION', `${number} was posted but Xero shows ${problems.join(' and ')}`);
}

function cancelEntry(ctx: StageContext, item: DeliveryItem, d: Extract<InvoiceDecision, { kind: 'cancel' }>): Entry {
  const key = ctx.links.key('order', item.entityId);
  return ctx.entryFor(item, {
    link: key,
    businessKey: d.body.InvoiceNumber,
    hash: d.hash,
    body: d.body,
    onOk: (el) => {
      ctx.links.stage(key, { contentHash: d.hash, xeroStatus: str(el.Status) ?? d.body.Status });
      ctx.outcomes.finish(item, 'synced', d.action, 'OK', { xeroId: d.body.InvoiceID, kind: 'invoice' });
    },
  });
}
