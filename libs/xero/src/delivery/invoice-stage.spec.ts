import type { MagentoOrder } from '@xero-sync/contracts';
import { defaultMappingSettings } from '@xero-sync/persistence';
import { generateStore } from '@xero-sync/testing';
import { contactEntityIdForOrder } from '../mapping/contact.mapper';
import { billableItems } from '../mapping/invoice.mapper';
import { XeroError } from '../xero.errors';
import { BatchWriter } from './batch-writer';
import { invoiceStage, LOCKED_INVOICE_MESSAGE, planCancel, planInvoice } from './invoice-stage';
import { RecordingXero } from './recording-xero';
import { SyncedRefs } from './stage-context';
import { item, link, stageWorld } from './test/stage-kit';

const store = generateStore({ seed: 5, customers: 3, orders: 12 });
const mapping = defaultMappingSettings();
const order = store.orders.find((o) => o.state !== 'canceled' && billableItems(o).length > 0)!;
const orderLink = (fields: Parameters<typeof link>[2]) => link('order', String(order.entity_id), fields);

/** Contact and items of `o` in Xero (or only some of them). */
function refs(o: MagentoOrder, opts: { contact?: boolean; items?: boolean } = {}) {
  const r = { contacts: new SyncedRefs(), itemCodes: new SyncedRefs() };
  if (opts.contact !== false) r.contacts.set(contactEntityIdForOrder(o), 'C-1');
  if (opts.items !== false) for (const l of billableItems(o)) r.itemCodes.set(l.sku, `CODE-${l.sku}`);
  return r;
}

describe('planInvoice', () => {
  it('waits (no call) while the contact or an item is not in Xero, saying which one failed', () => {
    expect(planInvoice(order, undefined, refs(order, { contact: false }), mapping)).toEqual({
      kind: 'wait',
      message: 'the contact is not synced yet',
    });
    const failed = refs(order, { contact: false });
    failed.contacts.markFailed(contactEntityIdForOrder(order));
    expect(planInvoice(order, undefined, failed, mapping)).toMatchObject({
      message: 'the contact could not be synced',
    });
    const deferred = refs(order, { contact: false });
    deferred.contacts.markFailed(contactEntityIdForOrder(order), 'was deferred (rate limited by Xero)');
    expect(planInvoice(order, undefined, deferred, mapping)).toMatchObject({
      message: 'the contact was deferred (rate limited by Xero)',
    });
    const sku = billableItems(order)[0].sku;
    expect(planInvoice(order, undefined, refs(order, { items: false }), mapping)).toEqual({
      kind: 'wait',
      message: `item ${sku} is not synced yet`,
    });
  });

  it('creates without an id, updates with the InvoiceID, and leaves equal content alone', () => {
    const create = planInvoice(order, undefined, refs(order), mapping);
    expect(create).toMatchObject({ kind: 'write', action: 'create', body: { Contact: { ContactID: 'C-1' } } });
    expect(create.kind === 'write' && create.body.InvoiceID).toBeFalsy();
    const hash = create.kind === 'write' ? create.hash : '';
    const known = orderLink({ xeroId: 'INV-1', xeroStatus: 'AUTHORISED', contentHash: 'old' });
    expect(planInvoice(order, known, refs(order), mapping)).toMatchObject({
      kind: 'write',
      action: 'update',
      body: { InvoiceID: 'INV-1' },
    });
    expect(planInvoice(order, { ...known, contentHash: hash }, refs(order), mapping)).toMatchObject({
      kind: 'finish',
      status: 'unchanged',
      xeroId: 'INV-1',
    });
  });

  it('never edits a paid or credited invoice, and never reuses a voided number', () => {
    const paid = orderLink({ xeroId: 'INV-1', xeroStatus: 'AUTHORISED', amountPaid: 5 });
    expect(planInvoice(order, paid, refs(order), mapping)).toMatchObject({
      kind: 'finish',
      status: 'synced',
      action: 'none',
    });
    const voided = orderLink({ xeroId: 'INV-1', xeroStatus: 'VOIDED' });
    const d = planInvoice(order, voided, refs(order), mapping);
    expect(d.kind).toBe('fail');
    expect(String(d.kind === 'fail' && (d.error as Error).message)).toContain('cannot be reused');
  });
});

describe('planCancel', () => {
  it('voids an unpaid authorised invoice, deletes a draft, leaves paid and gone ones alone', () => {
    expect(planCancel(undefined)).toMatchObject({ kind: 'finish', status: 'synced', action: 'none' });
    expect(planCancel(orderLink({ xeroId: 'INV-1', xeroStatus: 'AUTHORISED', businessKey: 'MI-1' }))).toMatchObject({
      kind: 'cancel',
      action: 'void',
      body: { InvoiceID: 'INV-1', InvoiceNumber: 'MI-1', Status: 'VOIDED' },
    });
    expect(planCancel(orderLink({ xeroId: 'INV-1', xeroStatus: 'DRAFT' }))).toMatchObject({
      action: 'delete',
      body: { Status: 'DELETED' },
    });
    expect(planCancel(orderLink({ xeroId: 'INV-1', xeroStatus: 'PAID' }))).toMatchObject({
      kind: 'finish',
      warn: expect.any(String),
    });
    expect(planCancel(orderLink({ xeroId: 'INV-1', xeroStatus: 'VOIDED' }))).toMatchObject({ status: 'unchanged' });
  });
});

describe('invoiceStage', () => {
  it('posts the invoice, keeps the order link for payments and credit notes, and notes its totals', async () => {
    const orderItem = item('order', String(order.entity_id), order);
    const w = stageWorld([orderItem]);
    const r = refs(order);
    Object.assign(w.ctx, { contacts: r.contacts, itemCodes: r.itemCodes });
    await invoiceStage(w.ctx, w.writer);
    expect(w.sent('/Invoices')).toEqual([expect.objectContaining({ InvoiceNumber: `MI-${order.increment_id}` })]);
    expect(w.resultOf(orderItem)).toMatchObject({ status: 'synced', action: 'create' });
    expect(w.ctx.orders.get(String(order.entity_id))).toMatchObject({
      contactXeroId: 'C-1',
      storePaid: order.total_paid ?? 0,
    });
    expect(w.outcomes.totalsOf(orderItem)?.storeTotal).toBe(order.grand_total);
  });

  it('looks up invoices whose create answer was lost before writing', async () => {
    const orderItem = item('order', String(order.entity_id), order);
    const w = stageWorld([orderItem], [orderLink({ businessKey: `MI-${order.increment_id}`, pendingHash: 'h' })]);
    Object.assign(w.ctx, refs(order));
    await invoiceStage(w.ctx, w.writer);
    expect(w.xero.requests.map((q) => `${q.method} ${q.path.split('?')[0]}`)).toEqual([
      'GET /Invoices',
      'POST /Invoices',
    ]);
  });

  /**
   * A Xero where the order's invoice was paid after the run read its link: the update is refused as locked, and a
   * lookup by number finds the invoice in `found` state.
   */
  function lockedWorld(found: Record<string, unknown> | XeroError) {
    const orderItem = item('order', String(order.entity_id), order);
    const number = `MI-${order.increment_id}`;
    const w = stageWorld([orderItem], [orderLink({ businessKey: number, xeroId: 'INV-1', xeroStatus: 'AUTHORISED' })]);
    Object.assign(w.ctx, refs(order));
    class LockedXero extends RecordingXero {
      override async upsertInvoices(tenantId: string, invoices: Parameters<RecordingXero['upsertInvoices']>[1]) {
        await super.upsertInvoices(tenantId, invoices);
        return {
          status: 200,
          body: invoices.map((b) => ({
            ...b,
            StatusAttributeString: 'ERROR',
            HasErrors: true,
            ValidationErrors: [{ Message: LOCKED_INVOICE_MESSAGE }],
          })),
        };
      }
      override async getInvoicesByNumbers(tenantId: string, numbers: string[]) {
        await super.getInvoicesByNumbers(tenantId, numbers);
        if (found instanceof XeroError) throw found;
        return { status: 200, body: [{ InvoiceID: 'INV-1', InvoiceNumber: number, ...found }] };
      }
    }
    const xero = new LockedXero();
    const writer = new BatchWriter(xero, w.outcomes, w.ctx.links, {
      storeId: 'store-1',
      priority: 'normal',
      signal: new AbortController().signal,
      batchSize: 50,
      maxBytes: 3_500_000,
    });
    return { ...w, xero, writer, orderItem };
  }

  it('an update refused because a payment locked the invoice meanwhile is left alone once Xero shows the payment', async () => {
    const w = lockedWorld({ Status: 'PAID', Total: order.grand_total, AmountPaid: order.grand_total, AmountDue: 0 });
    await invoiceStage(w.ctx, w.writer);
    expect(w.xero.requests.map((q) => `${q.method} ${q.path.split('?')[0]}`)).toEqual([
      'POST /Invoices',
      'GET /Invoices',
    ]);
    expect(w.resultOf(w.orderItem)).toMatchObject({
      status: 'synced',
      action: 'none',
      message: 'invoice has payments or credits in Xero (PAID); not edited',
    });
    // The run's later stages (payments, credit notes) see the invoice as Xero has it.
    expect(w.ctx.orders.get(String(order.entity_id))).toMatchObject({
      xeroStatus: 'PAID',
      amountPaid: order.grand_total,
    });
  });

  it("a locked invoice without payments or credits in Xero fails with Xero's own message", async () => {
    const w = lockedWorld({
      Status: 'AUTHORISED',
      Total: order.grand_total,
      AmountPaid: 0,
      AmountDue: order.grand_total,
    });
    await invoiceStage(w.ctx, w.writer);
    expect(w.resultOf(w.orderItem)).toMatchObject({ status: 'failed', message: LOCKED_INVOICE_MESSAGE });
  });

  it('a locked invoice whose state cannot be read is deferred, not failed on a guess', async () => {
    const w = lockedWorld(new XeroError('UNAVAILABLE', 'Xero answered 503'));
    await invoiceStage(w.ctx, w.writer);
    expect(w.resultOf(w.orderItem)).toMatchObject({
      status: 'deferred',
      message: `${LOCKED_INVOICE_MESSAGE}; its state in Xero could not be read (Xero answered 503)`,
    });
  });
});
