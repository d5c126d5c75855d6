import { randomUUID } from 'node:crypto';
import { ContactRec, Json, norm, OrgRec } from '../state/records';
import { Journal } from '../state/table';
import { runBatch, elementsOf } from './batch';
import { AccountingHandler, AccountingRequest, ElementError, HttpError, Problems, str } from './context';
import { listParam, listResult } from './list-query';
import { renderContact } from './render';
import { envelope, isGuid, problem } from './xero-format';

/** Fields Xero computes or manages itself; a client sending them back (after a GET) is ignored, not refused. */
const READ_ONLY = new Set([
  'ContactID',
  'Name',
  'ContactNumber',
  'ContactStatus',
  'UpdatedDateUTC',
  'IsSupplier',
  'IsCustomer',
  'Balances',
  'HasAttachments',
  'HasValidationErrors',
  'ValidationErrors',
  'StatusAttributeString',
  'Website',
  'Discount',
  'Attachments',
  'MergedToContactID',
]);

export function nameTakenMessage(name: string): string {
  return `The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`;
}

type Mode = { kind: 'create' } | { kind: 'upsert' } | { kind: 'update'; id: string };

function findExisting(org: OrgRec, el: Json, mode: Mode): ContactRec | undefined {
  if (mode.kind === 'update') return lookupContact(org, mode.id);
  if (mode.kind === 'create') return undefined;
  const id = str(el.ContactID);
  if (id) {
    const c = org.contacts.get(id);
    if (!c) throw new ElementError([`The contact with ContactID ${id} could not be found`]);
    return c;
  }
  // Xero's POST matches an existing contact by ContactNumber first, then by name among active contacts.
  return org.contacts.find('number', norm(str(el.ContactNumber))) ?? org.contacts.find('name', norm(str(el.Name)));
}

/** Finds a contact by id or ContactNumber, as `GET /Contacts/{ContactID|ContactNumber}` does. */
export function lookupContact(org: OrgRec, idOrNumber: string): ContactRec | undefined {
  return isGuid(idOrNumber) ? org.contacts.get(idOrNumber) : org.contacts.find('number', norm(idOrNumber));
}

/**
 * Creates or updates one contact with Xero's rules: a name is needed to create; names are unique among ACTIVE
 * contacts and ContactNumbers among all contacts.
 */
export function applyContact(org: OrgRec, el: Json, mode: Mode, journal: Journal, now: number): ContactRec {
  const existing = findExisting(org, el, mode);
  const p = new Problems();
  const name = str(el.Name) ?? existing?.Name;
  if (!name || !name.trim()) p.add('The contact name must be specified.');
  const number = el.ContactNumber !== undefined ? str(el.ContactNumber) : existing?.ContactNumber;
  const status =
    (str(el.ContactStatus) as ContactRec['ContactStatus'] | undefined) ?? existing?.ContactStatus ?? 'ACTIVE';
  const id = existing?.ContactID ?? randomUUID();
  if (name && status === 'ACTIVE') {
    const clash = org.contacts.find('name', norm(name));
    if (clash && clash.ContactID !== id) p.add(nameTakenMessage(name));
  }
  if (number) {
    const clash = org.contacts.find('number', norm(number));
    if (clash && clash.ContactID !== id) {
      p.add(
        `The contact number ${number} is already assigned to another contact. The contact number must be unique across all contacts.`,
      );
    }
  }
  const currency = str(el.DefaultCurrency);
  if (currency && currency !== org.baseCurrency && !org.currencies.includes(currency)) {
    p.add(`Organisation is not subscribed to currency ${currency}`);
  }
  p.throwIfAny();
  const fields: Json = { ...(existing?.fields ?? {}) };
  for (const [k, v] of Object.entries(el)) if (!READ_ONLY.has(k) && v !== undefined) fields[k] = v;
  const rec: ContactRec = {
    ContactID: id,
    Name: name!,
    ContactStatus: status,
    ...(number ? { ContactNumber: number } : {}),
    IsCustomer: existing?.IsCustomer ?? false,
    fields,
    updatedMs: now,
  };
  org.contacts.put(rec, journal);
  return rec;
}

/**
 * Resolves the Contact of an invoice or credit note: by ContactID, else ContactNumber, else Name among active
 * contacts — and, like Xero, creates a new contact when only an unknown Name is given.
 */
export function resolveContactRef(org: OrgRec, ref: Json | undefined, journal: Journal, now: number): ContactRec {
  const id = str(ref?.ContactID);
  const number = str(ref?.ContactNumber);
  const name = str(ref?.Name);
  if (!id && !number && !name) {
    throw new ElementError([
      'The Contact must contain at least 1 of the following elements to identify the contact: Name, ContactID, ContactNumber',
    ]);
  }
  if (id) {
    const c = org.contacts.get(id);
    if (!c) throw new ElementError([`The contact with ContactID ${id} could not be found`]);
    return c;
  }
  const byNumber = number ? org.contacts.find('number', norm(number)) : undefined;
  if (byNumber) return byNumber;
  const byName = name ? org.contacts.find('name', norm(name)) : undefined;
  if (byName) return byName;
  if (!name) throw new ElementError([`The contact with ContactNumber ${number} could not be found`]);
  return applyContact(
    org,
    { Name: name, ...(number ? { ContactNumber: number } : {}) },
    { kind: 'create' },
    journal,
    now,
  );
}

const list: AccountingHandler = (req) => {
  const ids = listParam(req.query.IDs)?.map((s) => s.toLowerCase());
  const includeArchived = req.query.includeArchived === 'true';
  const term = req.query.searchTerm?.toLowerCase();
  const rows = req.org.contacts
    .all()
    .filter((c) => !ids || ids.includes(c.ContactID))
    .filter((c) => includeArchived || ids || c.ContactStatus !== 'ARCHIVED')
    .filter(
      (c) =>
        !term ||
        [c.Name, c.ContactNumber, c.fields.FirstName, c.fields.LastName, c.fields.EmailAddress].some((f) =>
          (str(f) ?? '').toLowerCase().includes(term),
        ),
    )
    .map((c) => ({ updatedMs: c.updatedMs, json: renderContact(c) }));
  return { status: 200, body: envelope(req.providerName, req.now, listResult(req, 'Contacts', rows, true)) };
};

const getOne: AccountingHandler = (req) => {
  const c = lookupContact(req.org, req.params.id);
  if (!c) throw new HttpError(404, problem(404, 'Not Found', `Contact ${req.params.id} not found`));
  return { status: 200, body: envelope(req.providerName, req.now, { Contacts: [renderContact(c)] }) };
};

function write(mode: (req: AccountingRequest) => Mode): AccountingHandler {
  return (req) => {
    const m = mode(req);
    if (m.kind === 'update' && !lookupContact(req.org, m.id)) {
      throw new HttpError(404, problem(404, 'Not Found', `Contact ${m.id} not found`));
    }
    return runBatch(
      req,
      'Contacts',
      elementsOf(req.body, 'Contacts'),
      (el, journal) => renderContact(applyContact(req.org, el, m, journal, req.now)),
      'HasValidationErrors',
    );
  };
}

/** Routes for /Contacts. */
export const contactHandlers = {
  list,
  getOne,
  create: write(() => ({ kind: 'create' })),
  upsert: write(() => ({ kind: 'upsert' })),
  update: write((req) => ({ kind: 'update', id: req.params.id })),
};
