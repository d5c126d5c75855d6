import { creditMemoPrerequisite } from '@xero-sync/contracts';
import type { EntityName, MagentoCreditMemo } from '@xero-sync/contracts';
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import { MappedCreditNote, mapCreditMemoCreditNote } from '../mapping/credit-note.mapper';
import { cents } from '../mapping/money';
import { XeroElement } from '../client/xero-accounting.client';
import { BatchSpec, BatchWriter, Entry } from './batch-writer';
import { postedDifference } from './invoice-stage';
import { DeliveryItem } from './delivery.types';
import { applySettled, refused, Settled, waiting } from './stage-decision';
import { StageContext } from './stage-context';
import { hashOf, numOf, str } from './xero-values';

type CreditNoteBody = MappedCreditNote['body'] & { CreditNoteID?: string };

export type CreditNoteDecision =
  | Settled
  /** The note is in Xero with this content (or credit was already applied: never edited then). */
  | { kind: 'settle'; creditNoteId: string; total: number; mapped: MappedCreditNote }
  | { kind: 'write'; body: CreditNoteBody; hash: string; mapped: MappedCreditNote; orderLink: XeroLinkRecord };

/** What a memo's plan needs from the run besides its own link. */
export interface CreditNoteInputs {
  /** True when the record the memo settles against is in this delivery but did not reach Xero. */
  heldBack: (entity: EntityName, entityId: string) => boolean;
  loadOrder: (orderId: string) => Promise<XeroLinkRecord | undefined>;
  mapping: XeroMappingSettings;
}

/**
 * One credit memo's credit note. It waits while what it refunds is not in Xero: the store invoice it names (or,
 * naming none, its order's change) held back in this delivery, the order's invoice, or (naming no store invoice)
 * the payment the store's order reports but Xero does not show yet: allocating then would take the room that
 * payment needs ("payment exceeds the amount due").
 */
export async function planCreditNote(
  memo: MagentoCreditMemo,
  link: XeroLinkRecord | undefined,
  inputs: CreditNoteInputs,
): Promise<CreditNoteDecision> {
  const first = creditMemoPrerequisite(memo);
  if (inputs.heldBack(first.entity, first.entityId)) return waiting(`waiting for ${first.label} to be in Xero first`);
  const orderLink = await inputs.loadOrder(String(memo.order_id));
  if (!orderLink?.xeroId || !orderLink.contactXeroId)
    return waiting(`order ${memo.order_increment_id ?? memo.order_id} is not in Xero yet`);
  const unsettled = cents(memo.grand_total) - cents(link?.allocated ?? 0) - cents(link?.refunded ?? 0);
  if (
    !memo.invoice_id &&
    unsettled > 0 &&
    orderLink.storePaid !== undefined &&
    cents(orderLink.storePaid) >= unsettled &&
    cents(orderLink.amountPaid ?? 0) < unsettled
  )
    return waiting(
      `waiting for the order's payment to be in Xero first (the store took ${orderLink.storePaid}, ` +
        `Xero has ${orderLink.amountPaid ?? 0})`,
    );
  let mapped: MappedCreditNote;
  try {
    mapped = mapCreditMemoCreditNote(memo, inputs.mapping, {
      contact: { ContactID: orderLink.contactXeroId },
      currencyCode: orderLink.currencyCode,
      orderIncrementId: orderLink.orderNumber,
      orderLineTaxType: (line) => orderLink.lineTaxes?.[line],
    });
  } catch (err) {
    return refused(err);
  }
  const hash = hashOf(mapped.body);
  const applied = (link?.allocated ?? 0) + (link?.refunded ?? 0);
  if (link?.xeroId && (link.contentHash === hash || applied > 0))
    return { kind: 'settle', creditNoteId: link.xeroId, total: link.total ?? mapped.totals.total, mapped };
  const body = link?.xeroId ? { ...mapped.body, CreditNoteID: link.xeroId } : mapped.body;
  return { kind: 'write', body, hash, mapped, orderLink };
}

/**
 * Credit notes of credit memos (POST /CreditNotes, create-or-update by CreditNoteNumber). Each note in Xero
 * goes on to the settlement stage (allocation or refund).
 */
export async function creditNoteStage(ctx: StageContext, writer: BatchWriter): Promise<void> {
  const todo = await ctx.pendingWithLinks('creditmemo');
  if (!todo) return;
  const { items: memos, links } = todo;
  const inputs: CreditNoteInputs = {
    heldBack: (entity, id) => ctx.outcomes.heldBack(entity, id),
    loadOrder: (id) => ctx.orders.load(id),
    mapping: ctx.mapping,
  };
  const notes: BatchSpec = {
    action: 'creditnotes',
    lane: 'payment',
    keyField: 'CreditNoteNumber',
    send: (bodies, call) => writer.xero.upsertCreditNotes(ctx.tenantId, bodies as never, call),
  };
  await ctx.orders.loadMany(memos.map((m) => String(m.payload.order_id)));
  const entries: Entry[] = [];
  for (const item of memos) {
    const link = links.get(item.entityId);
    const d = await planCreditNote(item.payload, link, inputs);
    switch (d.kind) {
      case 'settle':
        ctx.outcomes.noteTotals(item, d.mapped.totals);
        ctx.notesToSettle.push({
          item,
          memo: item.payload,
          creditNoteId: d.creditNoteId,
          total: d.total,
          written: false,
          link,
        });
        break;
      case 'write':
        ctx.outcomes.noteTotals(item, d.mapped.totals);
        entries.push(creditNoteEntry(ctx, item, d, link));
        break;
      case 'fail':
      case 'finish':
      case 'wait':
        applySettled(ctx.outcomes, item, d);
    }
  }
  await writer.write(entries, notes);
}

/** The note's element; once Xero has it, the note goes on to settlement. */
function creditNoteEntry(
  ctx: StageContext,
  item: DeliveryItem<'creditmemo'>,
  d: Extract<CreditNoteDecision, { kind: 'write' }>,
  link?: XeroLinkRecord,
): Entry {
  const memo = item.payload;
  const key = ctx.links.key('creditmemo', item.entityId);
  const { CreditNoteNumber: number } = d.mapped.body;
  const onOk = (el: XeroElement): void => {
    const id = str(el.CreditNoteID)!;
    const total = numOf(el.Total) ?? d.mapped.totals.total;
    const differs = postedDifference(number, d.mapped.totals, numOf(el.Total), numOf(el.TotalTax));
    // Not "unchanged" next time when it came out other than the store's; and never settled from wrong figures.
    const set = {
      tenantId: ctx.tenantId,
      businessKey: number,
      xeroId: id,
      total,
      ...(differs ? {} : { contentHash: d.hash }),
    };
    ctx.links.stage(key, { ...set, xeroStatus: str(el.Status), parentXeroId: d.orderLink.xeroId });
    if (differs) ctx.outcomes.fail(item, differs);
    else ctx.notesToSettle.push({ item, memo, creditNoteId: id, total, written: true, link });
  };
  return ctx.entryFor(item, { link: key, businessKey: number, hash: d.hash, body: d.body, onOk });
}
