import { randomUUID } from 'node:crypto';
import { sub2 } from '../rules/money';
import { AllocationRec, CreditNoteRec, Json, norm, OrgRec } from '../state/records';
import { Journal } from '../state/table';
import { elementsOf, runBatch } from './batch';
import { AccountingHandler, AccountingRequest, ElementError, HttpError, num, obj, Problems, str } from './context';
import { buildDocument, DocKind } from './documents';
import { lookupInvoice } from './invoices';
import { listResult } from './list-query';
import { renderAllocation, renderCreditNote } from './render';
import { envelope, isGuid, parseDay, problem } from './xero-format';

const CREDIT_NOTE: DocKind = { noun: 'Credit Note', discountsOn: [], salesTypes: ['ACCRECCREDIT'] };
const TYPES = ['ACCRECCREDIT', 'ACCPAYCREDIT'];

type Mode = { kind: 'create' } | { kind: 'upsert' } | { kind: 'update'; id: string };

/** Finds a credit note by CreditNoteID or (sales) CreditNoteNumber. */
export function lookupCreditNote(org: OrgRec, idOrNumber: string): CreditNoteRec | undefined {
  return (
    (isGuid(idOrNumber) ? org.creditNotes.get(idOrNumber) : undefined) ??
    org.creditNotes.find('number', norm(idOrNumber))
  );
}

function nextNumber(org: OrgRec): string {
  for (;;) {
    org.seq.creditNote++;
    const n = `CN-${String(org.seq.creditNote).padStart(4, '0')}`;
    if (!org.creditNotes.find('number', norm(n))) return n;
  }
}

/** Creates or updates one credit note; numbers stay unique even after deletion, and lines carry no discounts. */
export function applyCreditNote(
  org: OrgRec,
  el: Json,
  mode: Mode,
  unitDp: 2 | 4,
  journal: Journal,
  now: number,
): CreditNoteRec {
  let existing: CreditNoteRec | undefined;
  const number = str(el.CreditNoteNumber);
  if (mode.kind === 'update') existing = lookupCreditNote(org, mode.id);
  else if (mode.kind === 'upsert') {
    const id = str(el.CreditNoteID);
    if (id) {
      existing = org.creditNotes.get(id);
      if (!existing) throw new ElementError([`Credit note with CreditNoteID ${id} could not be found`]);
    } else if (number) existing = org.creditNotes.find('number', norm(number));
  }
  const p = new Problems();
  const type = (str(el.Type) ?? existing?.Type)?.toUpperCase();
  if (!type) p.add('Credit Note Type must be specified');
  else if (!TYPES.includes(type)) p.add(`Credit Note Type ${type} is not valid`);
  const id = existing?.CreditNoteID ?? randomUUID();
  if (number && type === 'ACCRECCREDIT') {
    const clash = org.creditNotes.find('number', norm(number));
    if (clash && clash.CreditNoteID !== id) p.add('Credit Note # must be unique.');
  }
  if (!type || !TYPES.includes(type)) p.throwIfAny();
  const used = existing ? existing.AmountAllocated + existing.AmountPaid : 0;
  const core = buildDocument(org, el, existing, CREDIT_NOTE, type!, unitDp, used > 0, journal, now, p);
  const closed = core.Status === 'VOIDED' || core.Status === 'DELETED';
  const rec: CreditNoteRec = {
    ...core,
    CreditNoteID: id,
    CreditNoteNumber: number ?? existing?.CreditNoteNumber ?? (type === 'ACCRECCREDIT' ? nextNumber(org) : ''),
    AmountAllocated: existing?.AmountAllocated ?? 0,
    AmountPaid: existing?.AmountPaid ?? 0,
    RemainingCredit: closed ? 0 : sub2(core.Total, used),
    updatedMs: now,
  };
  org.creditNotes.put(rec, journal);
  return rec;
}

/**
 * Allocates part of an AUTHORISED credit note to an AUTHORISED invoice of the same currency: never more than the
 * credit note's remaining credit nor the invoice's amount due. Either side reaching zero becomes PAID.
 */
export function applyAllocation(
  org: OrgRec,
  cn: CreditNoteRec,
  el: Json,
  journal: Journal,
  now: number,
): AllocationRec {
  const p = new Problems();
  const invRef = obj(el.Invoice);
  const invKey = str(invRef?.InvoiceID) ?? str(invRef?.InvoiceNumber);
  const invoice = invKey ? lookupInvoice(org, invKey) : undefined;
  if (!invoice) throw new ElementError([`Invoice ${invKey ?? ''} could not be found`.replace('  ', ' ')]);
  const current = org.creditNotes.get(cn.CreditNoteID)!;
  const amount = num(el.Amount) ?? 0;
  const date = parseDay(el.Date);
  if (!date) p.add('A valid allocation Date must be specified');
  if (amount <= 0) p.add('Allocation amount must be greater than zero');
  if (current.Status !== 'AUTHORISED') p.add('Credit note must be AUTHORISED before it can be allocated');
  if (invoice.Status !== 'AUTHORISED') p.add('Credit can only be allocated to an AUTHORISED invoice');
  if (invoice.CurrencyCode !== current.CurrencyCode) p.add('The credit note and invoice must be in the same currency');
  if (amount > current.RemainingCredit) p.add('The amount allocated exceeds the remaining credit on this credit note');
  if (amount > invoice.AmountDue) p.add('The amount allocated exceeds the amount outstanding on the invoice');
  p.throwIfAny();
  const rec: AllocationRec = {
    AllocationID: randomUUID(),
    CreditNoteID: current.CreditNoteID,
    InvoiceID: invoice.InvoiceID,
    Amount: amount,
    Date: date!,
    IsDeleted: false,
    updatedMs: now,
  };
  org.allocations.put(rec, journal);
  const remaining = sub2(current.RemainingCredit, amount);
  org.creditNotes.put(
    {
      ...current,
      AmountAllocated: current.AmountAllocated + amount,
      RemainingCredit: remaining,
      Status: remaining === 0 ? 'PAID' : current.Status,
      FullyPaidOnDate: remaining === 0 ? date : current.FullyPaidOnDate,
      updatedMs: now,
    },
    journal,
  );
  const due = sub2(invoice.AmountDue, amount);
  org.invoices.put(
    {
      ...invoice,
      AmountCredited: invoice.AmountCredited + amount,
      AmountDue: due,
      Status: due === 0 ? 'PAID' : invoice.Status,
      FullyPaidOnDate: due === 0 ? date : invoice.FullyPaidOnDate,
      updatedMs: now,
    },
    journal,
  );
  return rec;
}

const list: AccountingHandler = (req) => {
  const lines = req.query.page !== undefined;
  const rows = req.org.creditNotes
    .all()
    .map((c) => ({ updatedMs: c.updatedMs, json: renderCreditNote(req.org, c, { lines }) }));
  return { status: 200, body: envelope(req.providerName, req.now, listResult(req, 'CreditNotes', rows, true)) };
};

const getOne: AccountingHandler = (req) => {
  const c = lookupCreditNote(req.org, req.params.id);
  if (!c) throw new HttpError(404, problem(404, 'Not Found', `Credit note ${req.params.id} not found`));
  return { status: 200, body: envelope(req.providerName, req.now, { CreditNotes: [renderCreditNote(req.org, c)] }) };
};

function write(mode: (req: AccountingRequest) => Mode): AccountingHandler {
  return (req) => {
    const m = mode(req);
    if (m.kind === 'update' && !lookupCreditNote(req.org, m.id)) {
      throw new HttpError(404, problem(404, 'Not Found', `Credit note ${m.id} not found`));
    }
    return runBatch(
      req,
      'CreditNotes',
      elementsOf(req.body, 'CreditNotes'),
      (el, journal) => renderCreditNote(req.org, applyCreditNote(req.org, el, m, req.unitDp, journal, req.now)),
      'HasErrors',
    );
  };
}

const allocate: AccountingHandler = (req) => {
  const cn = lookupCreditNote(req.org, req.params.id);
  if (!cn) throw new HttpError(404, problem(404, 'Not Found', `Credit note ${req.params.id} not found`));
  return runBatch(
    req,
    'Allocations',
    elementsOf(req.body, 'Allocations'),
    (el, journal) => renderAllocation(req.org, applyAllocation(req.org, cn, el, journal, req.now)),
    'none',
  );
};

/** Routes for /CreditNotes and their allocations. */
export const creditNoteHandlers = {
  list,
  getOne,
  create: write(() => ({ kind: 'create' })),
  upsert: write(() => ({ kind: 'upsert' })),
  update: write((req) => ({ kind: 'update', id: req.params.id })),
  allocate,
};
