import { randomUUID } from 'node:crypto';
import { sub2 } from '../rules/money';
import { InvoiceRec, Json, norm, OrgRec } from '../state/records';
import { Journal } from '../state/table';
import { elementsOf, runBatch } from './batch';
import { AccountingHandler, AccountingRequest, ElementError, HttpError, Problems, str } from './context';
import { buildDocument, DocKind } from './documents';
import { listParam, listResult } from './list-query';
import { renderInvoice } from './render';
import { envelope, isGuid, problem } from './xero-format';

const INVOICE: DocKind = { noun: 'Invoice', discountsOn: ['ACCREC'], salesTypes: ['ACCREC'] };
const TYPES = ['ACCREC', 'ACCPAY'];

type Mode = { kind: 'create' } | { kind: 'upsert' } | { kind: 'update'; id: string };

/** Finds an invoice by InvoiceID or (sales) InvoiceNumber, as `/Invoices/{InvoiceID|InvoiceNumber}` does. */
export function lookupInvoice(org: OrgRec, idOrNumber: string): InvoiceRec | undefined {
  return (
    (isGuid(idOrNumber) ? org.invoices.get(idOrNumber) : undefined) ?? org.invoices.find('number', norm(idOrNumber))
  );
}

/** True when live payments or credit allocations exist against the invoice. */
export function invoiceHasPayments(org: OrgRec, id: string): boolean {
  return (
    org.payments.all().some((p) => p.InvoiceID === id && p.Status === 'AUTHORISED') ||
    org.allocations.all().some((a) => a.InvoiceID === id && !a.IsDeleted)
  );
}

function nextNumber(org: OrgRec): string {
  for (;;) {
    org.seq.invoice++;
    const n = `INV-${String(org.seq.invoice).padStart(4, '0')}`;
    if (!org.invoices.find('number', norm(n))) return n;
  }
}

/**
 * Creates or updates one invoice. PUT always creates (a used ACCREC number is refused, even when that invoice was
 * deleted or voided); POST matches by InvoiceID, else by InvoiceNumber, and updates what it finds.
 */
export function applyInvoice(
  org: OrgRec,
  el: Json,
  mode: Mode,
  unitDp: 2 | 4,
  journal: Journal,
  now: number,
): InvoiceRec {
  let existing: InvoiceRec | undefined;
  const number = str(el.InvoiceNumber);
  if (mode.kind === 'update') existing = lookupInvoice(org, mode.id);
  else if (mode.kind === 'upsert') {
    const id = str(el.InvoiceID);
    if (id) {
      existing = org.invoices.get(id);
      if (!existing) throw new ElementError([`Invoice with InvoiceID ${id} could not be found`]);
    } else if (number) existing = org.invoices.find('number', norm(number));
  }
  const p = new Problems();
  const type = (str(el.Type) ?? existing?.Type)?.toUpperCase();
  if (!type) p.add('Invoice Type must be specified');
  else if (!TYPES.includes(type)) p.add(`Invoice Type ${type} is not supported by the sandbox`);
  else if (existing && type !== existing.Type) p.add('The Type of an existing invoice cannot be changed');
  const id = existing?.InvoiceID ?? randomUUID();
  if (number && type === 'ACCREC') {
    const clash = org.invoices.find('number', norm(number));
    if (clash && clash.InvoiceID !== id) p.add('Invoice # must be unique.');
  }
  const hasPayments = existing ? invoiceHasPayments(org, existing.InvoiceID) : false;
  if (!type || !TYPES.includes(type)) p.throwIfAny();
  const core = buildDocument(org, el, existing, INVOICE, type!, unitDp, hasPayments, journal, now, p);
  const amountPaid = existing?.AmountPaid ?? 0;
  const amountCredited = existing?.AmountCredited ?? 0;
  const closed = core.Status === 'VOIDED' || core.Status === 'DELETED';
  const rec: InvoiceRec = {
    ...core,
    InvoiceID: id,
    InvoiceNumber: number ?? existing?.InvoiceNumber ?? (type === 'ACCREC' ? nextNumber(org) : ''),
    AmountPaid: amountPaid,
    AmountCredited: amountCredited,
    AmountDue: closed ? 0 : sub2(sub2(core.Total, amountPaid), amountCredited),
    updatedMs: now,
  };
  org.invoices.put(rec, journal);
  if (type === 'ACCREC') {
    const contact = org.contacts.get(rec.ContactID);
    if (contact && !contact.IsCustomer) org.contacts.put({ ...contact, IsCustomer: true }, journal);
  }
  return rec;
}

const list: AccountingHandler = (req) => {
  const ids = listParam(req.query.IDs)?.map((s) => s.toLowerCase());
  const numbers = listParam(req.query.InvoiceNumbers)?.map((s) => s.toLowerCase());
  const contactIds = listParam(req.query.ContactIDs)?.map((s) => s.toLowerCase());
  const statuses = listParam(req.query.Statuses)?.map((s) => s.toUpperCase());
  // Xero returns line items in lists only when a page is asked for.
  const lines = req.query.page !== undefined && req.query.summaryOnly !== 'true';
  const rows = req.org.invoices
    .all()
    .filter((i) => !ids || ids.includes(i.InvoiceID))
    .filter((i) => !numbers || numbers.includes(i.InvoiceNumber.toLowerCase()))
    .filter((i) => !contactIds || contactIds.includes(i.ContactID))
    .filter((i) => !statuses || statuses.includes(i.Status))
    .map((i) => ({ updatedMs: i.updatedMs, json: renderInvoice(req.org, i, { lines }) }));
  return { status: 200, body: envelope(req.providerName, req.now, listResult(req, 'Invoices', rows, true)) };
};

const getOne: AccountingHandler = (req) => {
  const i = lookupInvoice(req.org, req.params.id);
  if (!i) throw new HttpError(404, problem(404, 'Not Found', `Invoice ${req.params.id} not found`));
  return { status: 200, body: envelope(req.providerName, req.now, { Invoices: [renderInvoice(req.org, i)] }) };
};

function write(mode: (req: AccountingRequest) => Mode): AccountingHandler {
  return (req) => {
    const m = mode(req);
    if (m.kind === 'update' && !lookupInvoice(req.org, m.id)) {
      throw new HttpError(404, problem(404, 'Not Found', `Invoice ${m.id} not found`));
    }
    return runBatch(
      req,
      'Invoices',
      elementsOf(req.body, 'Invoices'),
      (el, journal) => renderInvoice(req.org, applyInvoice(req.org, el, m, req.unitDp, journal, req.now)),
      'HasErrors',
    );
  };
}

/** Routes for /Invoices. */
export const invoiceHandlers = {
  list,
  getOne,
  create: write(() => ({ kind: 'create' })),
  upsert: write(() => ({ kind: 'upsert' })),
  update: write((req) => ({ kind: 'update', id: req.params.id })),
};
