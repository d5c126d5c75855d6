import { heldBecause } from './item-outcomes';
import type { XeroLinkRecord, XeroMappingSettings } from '@xero-sync/persistence';
import { billableItems } from '../mapping/invoice.mapper';
import { itemCodeFor, mapOrderLineItem, mapProductItem } from '../mapping/item.mapper';
import { XeroItemJson } from '../mapping/xero-documents';
import type { DeliveryItem } from './delivery.types';
import { BatchWriter, Entry } from './batch-writer';
import { StageContext } from './stage-context';
import { hashOf, str } from './xero-values';

/** An item the run needs: a product record, or derived from an order line (a product the store did not send). */
export interface WantedItem {
  sku: string;
  items: DeliveryItem[];
  body: XeroItemJson;
  derived: boolean;
}

/** What to do with one SKU; `known` = Xero has it, so invoices may use its code whatever happens here. */
export type ItemDecision = { sku: string; code: string; known: boolean } & (
  | { kind: 'skip' }
  | { kind: 'unchanged'; xeroId: string }
  | { kind: 'write'; body: XeroItemJson; hash: string; action: 'create' | 'update' }
);

/** Products first; an order line adds its item only when no product record of that SKU is in the run. */
export function wantedItems(
  products: DeliveryItem<'product'>[],
  orders: DeliveryItem<'order'>[],
  mapping: XeroMappingSettings,
): WantedItem[] {
  const wanted = new Map<string, WantedItem>();
  for (const p of products)
    wanted.set(p.payload.sku, {
      sku: p.payload.sku,
      items: [p],
      body: mapProductItem(p.payload, mapping),
      derived: false,
    });
  for (const o of orders)
    for (const line of billableItems(o.payload))
      if (!wanted.has(line.sku))
        wanted.set(line.sku, { sku: line.sku, items: [], body: mapOrderLineItem(line, mapping), derived: true });
  return [...wanted.values()];
}

/**
 * The Item Code is the business key (kept from the link once chosen): POST /Items updates the item with that
 * code, so a retry never duplicates. An order line never overwrites a known item.
 */
export function planItem(w: WantedItem, link: XeroLinkRecord | undefined): ItemDecision {
  const code = link?.businessKey ?? itemCodeFor(w.sku);
  const body = { ...w.body, Code: code };
  const known = Boolean(link?.xeroId);
  if (w.derived && link?.xeroId) return { sku: w.sku, code, known, kind: 'skip' };
  const hash = hashOf(body);
  if (link?.xeroId && link.contentHash === hash)
    return { sku: w.sku, code, known, kind: 'unchanged', xeroId: link.xeroId };
  return { sku: w.sku, code, known, kind: 'write', body, hash, action: link?.xeroId ? 'update' : 'create' };
}

/** Items of products and of order lines (POST /Items, create-or-update by Code). */
export async function itemStage(ctx: StageContext, writer: BatchWriter): Promise<void> {
  const { outcomes, links } = ctx;
  const wanted = wantedItems(outcomes.pending('product'), outcomes.pending('order'), ctx.mapping);
  if (wanted.length === 0) return;
  const found = await links.read(
    'product',
    wanted.map((w) => w.sku),
  );
  const entries: Entry[] = [];
  for (const w of wanted) {
    const d = planItem(w, found.get(w.sku));
    if (d.known) ctx.itemCodes.set(d.sku, d.code);
    if (d.kind === 'unchanged')
      for (const i of w.items) outcomes.finish(i, 'unchanged', 'none', 'OK', { xeroId: d.xeroId, kind: 'item' });
    if (d.kind !== 'write') continue;
    const key = links.key('product', d.sku);
    entries.push({
      items: w.items,
      link: key,
      businessKey: d.code,
      hash: d.hash,
      body: d.body,
      onOk: (el) => {
        const id = str(el.ItemID)!;
        ctx.itemCodes.set(d.sku, d.code);
        links.stage(key, { tenantId: ctx.tenantId, businessKey: d.code, xeroId: id, contentHash: d.hash });
        for (const i of w.items) outcomes.finish(i, 'synced', d.action, 'OK', { xeroId: id, kind: 'item' });
      },
      onFail: (err) => {
        ctx.itemCodes.markFailed(d.sku, heldBecause(err));
        links.stageFailure(key, err.message);
        for (const i of w.items) outcomes.fail(i, err);
      },
    });
  }
  await writer.write(entries, {
    action: 'items',
    lane: 'master',
    keyField: 'Code',
    send: (bodies, call) => writer.xero.upsertItems(ctx.tenantId, bodies as XeroItemJson[], call),
  });
}
