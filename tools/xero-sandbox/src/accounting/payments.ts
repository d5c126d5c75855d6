import { randomUUID } from 'node:crypto';
import { sub2 } from '../rules/money';
import { CreditNoteRec, InvoiceRec, Json, norm, OrgRec, PaymentRec } from '../state/records';
import { Journal } from '../state/table';
import { elementsOf, runBatch } from './batch';
import { AccountingHandler, ElementError, HttpError, num, obj, Problems, str } from './context';
import { lookupCreditNote } from './credit-notes';
import { lookupInvoice } from './invoices';
import { listResult } from './list-query';
import { renderPayment } from './render';
import { envelope, isGuid, parseDay, problem, validationException } from './xero-format';

export const OVERPAYMENT_MESSAGE = 'Payment amount exceeds the amount outstanding on this document';

const PAYMENT_TYPE: Record<string, PaymentRec['PaymentType']> = {
  ACCREC: 'ACCRECPAYMENT',
  ACCPAY: 'ACCPAYPAYMENT',
  ACCRECCREDIT: 'ARCREDITPAYMENT',
  ACCPAYCREDIT: 'APCREDITPAYMENT',
};

function target(org: OrgRec, el: Json): { invoice?: InvoiceRec; creditNote?: CreditNoteRec } {
  const inv = obj(el.Invoice);
  const cn = obj(el.CreditNote);
  const invKey = str(inv?.InvoiceID) ?? str(inv?.InvoiceNumber) ?? str(el.InvoiceNumber);
  const cnKey = str(cn?.CreditNoteID) ?? str(cn?.CreditNoteNumber) ?? str(el.CreditNoteNumber);
  if (invKey) {
    const invoice = lookupInvoice(org, invKey);
    if (!invoice) throw new ElementError([`Invoice ${invKey} could not be found`]);
    return { invoice };
  }
  if (cnKey) {
    const creditNote = lookupCreditNote(org, cnKey);
    if (!creditNote) throw new ElementError([`Credit note ${cnKey} could not be found`]);
    return { creditNote };
  }
  throw new ElementError(['You must specify either an Invoice or a CreditNote to apply the payment to']);
}

/**
 * Applies one payment to an AUTHORISED invoice (or pays out a refund on an AUTHORISED credit note). The amount may
 * not exceed what is outstanding and the account must be a BANK account or have payments enabled; a document
 * paid in full becomes PAID.
 */
export function applyPayment(org: OrgRec, el: Json, journal: Journal, now: number): PaymentRec {
  const { invoice, creditNote } = target(org, el);
  const doc = (invoice ?? creditNote)!;
  const p = new Problems();
  const acc = obj(el.Account);
  const accountKey = str(acc?.AccountID) ?? str(acc?.Code) ?? str(el.Code);
  const account = accountKey
    ? ((isGuid(accountKey) ? org.accounts.get(accountKey) : undefined) ?? org.accounts.find('code', norm(accountKey)))
    : undefined;
  if (!accountKey) p.add('An Account must be specified for the payment');
  else if (!account) p.add(`Account ${accountKey} could not be found`);
  else if (account.Type !== 'BANK' && !account.EnablePaymentsToAccount) {
    p.add(`Account ${account.Code} cannot be used for payments: it must be of type BANK or have payments enabled`);
  }
  const date = parseDay(el.Date);
  if (!date) p.add('A valid payment Date must be specified');
  const amount = num(el.Amount);
  if (amount === undefined || amount <= 0) p.add('Payment amount must be greater than zero');
  if (str(el.Status) === 'DELETED') p.add('A payment cannot be created with status DELETED');
  if (doc.Status !== 'AUTHORISED') {
    p.add(`Payments can only be applied to AUTHORISED documents; this document is ${doc.Status}`);
  }
  const outstanding = invoice ? invoice.AmountDue : creditNote!.RemainingCredit;
  if (amount !== undefined && amount > outstanding && doc.Status === 'AUTHORISED') p.add(OVERPAYMENT_MESSAGE);
  p.throwIfAny();
  const rec: PaymentRec = {
    PaymentID: randomUUID(),
    ...(invoice ? { InvoiceID: invoice.InvoiceID } : { CreditNoteID: creditNote!.CreditNoteID }),
    AccountID: account!.AccountID,
    Date: date!,
    Amount: amount!,
    CurrencyRate: num(el.CurrencyRate) ?? doc.CurrencyRate,
    ...(str(el.Reference) !== undefined ? { Reference: str(el.Reference) } : {}),
    IsReconciled: el.IsReconciled === true,
    Status: 'AUTHORISED',
    PaymentType: PAYMENT_TYPE[doc.Type] ?? 'ACCRECPAYMENT',
    updatedMs: now,
  };
  org.payments.put(rec, journal);
  settle(org, rec, +1, journal, now);
  return rec;
}

/** Moves a payment's amount onto (sign +1) or off (sign −1) its document, keeping statuses in step. */
function settle(org: OrgRec, pay: PaymentRec, sign: 1 | -1, journal: Journal, now: number): void {
  const delta = pay.Amount * sign;
  if (pay.InvoiceID) {
    const inv = org.invoices.get(pay.InvoiceID)!;
    const due = sub2(inv.AmountDue, delta);
    org.invoices.put(
      {
        ...inv,
        AmountPaid: sub2(inv.AmountPaid, -delta),
        AmountDue: due,
        Status: due === 0 ? 'PAID' : inv.Status === 'PAID' ? 'AUTHORISED' : inv.Status,
        FullyPaidOnDate: due === 0 ? pay.Date : undefined,
        updatedMs: now,
      },
      journal,
    );
  } else if (pay.CreditNoteID) {
    const cn = org.creditNotes.get(pay.CreditNoteID)!;
    const remaining = sub2(cn.RemainingCredit, delta);
    org.creditNotes.put(
      {
        ...cn,
        AmountPaid: sub2(cn.AmountPaid, -delta),
        RemainingCredit: remaining,
        Status: remaining === 0 ? 'PAID' : cn.Status === 'PAID' ? 'AUTHORISED' : cn.Status,
        FullyPaidOnDate: remaining === 0 ? pay.Date : undefined,
        updatedMs: now,
      },
      journal,
    );
  }
}

const list: AccountingHandler = (req) => {
  const rows = req.org.payments.all().map((p) => ({ updatedMs: p.updatedMs, json: renderPayment(req.org, p) }));
  return { status: 200, body: envelope(req.providerName, req.now, listResult(req, 'Payments', rows, true)) };
};

const getOne: AccountingHandler = (req) => {
  const p = req.org.payments.get(req.params.id);
  if (!p) throw new HttpError(404, problem(404, 'Not Found', `Payment ${req.params.id} not found`));
  return { status: 200, body: envelope(req.providerName, req.now, { Payments: [renderPayment(req.org, p)] }) };
};

const createMany: AccountingHandler = (req) =>
  runBatch(
    req,
    'Payments',
    elementsOf(req.body, 'Payments'),
    (el, journal) => renderPayment(req.org, applyPayment(req.org, el, journal, req.now)),
    'HasValidationErrors',
  );

/** `POST /Payments` takes one bare Payment and has no summarizeErrors: failures are always a 400. */
const createOne: AccountingHandler = (req) =>
  runBatch(
    { ...req, summarizeErrors: true },
    'Payments',
    [(req.body ?? {}) as Json],
    (el, journal) => renderPayment(req.org, applyPayment(req.org, el, journal, req.now)),
    'HasValidationErrors',
  );

/** `POST /Payments/{PaymentID}` with `{"Status":"DELETED"}` is how Xero deletes a payment. */
const remove: AccountingHandler = (req) => {
  const pay = req.org.payments.get(req.params.id);
  if (!pay) throw new HttpError(404, problem(404, 'Not Found', `Payment ${req.params.id} not found`));
  const body = (req.body ?? {}) as Json;
  if (str(body.Status) !== 'DELETED') {
    throw new HttpError(
      400,
      validationException([{ ValidationErrors: [{ Message: 'Status must be DELETED to delete a payment' }] }]),
    );
  }
  if (pay.Status === 'DELETED') {
    throw new HttpError(
      400,
      validationException([
        { PaymentID: pay.PaymentID, ValidationErrors: [{ Message: 'Payment has already been deleted' }] },
      ]),
    );
  }
  const journal = new Journal();
  const deleted: PaymentRec = { ...pay, Status: 'DELETED', updatedMs: req.now };
  req.org.payments.put(deleted, journal);
  settle(req.org, pay, -1, journal, req.now);
  return { status: 200, body: envelope(req.providerName, req.now, { Payments: [renderPayment(req.org, deleted)] }) };
};

/** Routes for /Payments. */
export const paymentHandlers = { list, getOne, createMany, createOne, remove };
