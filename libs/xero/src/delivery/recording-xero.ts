import { CallOutcome, XeroElement } from '../client/xero-accounting.client';
import {
  XeroAllocationJson,
  XeroContactJson,
  XeroCreditNoteJson,
  XeroInvoiceJson,
  XeroInvoiceStatusJson,
  XeroItemJson,
  XeroPaymentJson,
} from '../mapping/xero-documents';
import { XeroTransport } from './batch-writer';
import { Json } from './xero-values';

/** One request a run would send to Xero. */
export interface DryRunRequest {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  body?: unknown;
}

/** Stands for an id Xero would assign (shown in later requests that refer to the new document). */
function assigned(field: string, key: unknown): string {
  return `<${field} of ${String(key)}>`;
}

/**
 * A Xero that records instead of sending (the dry-run, unit specs): every write is accepted and answered with
 * its own body plus the ids Xero would assign; every lookup finds nothing (the lookups a run makes after a lost
 * answer are recorded, and the preview shows the write that follows when the earlier attempt did not reach Xero).
 */
export class RecordingXero implements XeroTransport {
  readonly requests: DryRunRequest[] = [];

  upsertContacts(_tenantId: string, contacts: XeroContactJson[]) {
    return this.write('POST', '/Contacts?summarizeErrors=false', 'Contacts', contacts, (c) => ({
      ContactID: (c as { ContactID?: string }).ContactID ?? assigned('ContactID', c.ContactNumber),
    }));
  }

  upsertItems(_tenantId: string, items: XeroItemJson[]) {
    return this.write('POST', '/Items?summarizeErrors=false&unitdp=4', 'Items', items, (i) => ({
      ItemID: assigned('ItemID', i.Code),
    }));
  }

  upsertInvoices(_tenantId: string, invoices: (XeroInvoiceJson | XeroInvoiceStatusJson)[]) {
    return this.write('POST', '/Invoices?summarizeErrors=false&unitdp=4', 'Invoices', invoices, (i) => ({
      InvoiceID: i.InvoiceID ?? assigned('InvoiceID', i.InvoiceNumber),
    }));
  }

  upsertCreditNotes(_tenantId: string, notes: XeroCreditNoteJson[]) {
    return this.write('POST', '/CreditNotes?summarizeErrors=false&unitdp=4', 'CreditNotes', notes, (n) => ({
      CreditNoteID: (n as { CreditNoteID?: string }).CreditNoteID ?? assigned('CreditNoteID', n.CreditNoteNumber),
    }));
  }

  createPayments(_tenantId: string, payments: XeroPaymentJson[]) {
    return this.write('PUT', '/Payments?summarizeErrors=false', 'Payments', payments, (p) => ({
      PaymentID: assigned('PaymentID', p.Reference),
    }));
  }

  createAllocation(_tenantId: string, creditNoteId: string, allocation: XeroAllocationJson) {
    const path = `/CreditNotes/${creditNoteId}/Allocations?summarizeErrors=false`;
    return this.write('PUT', path, 'Allocations', [allocation], () => ({}));
  }

  getContactsByNumbers(_tenantId: string, numbers: string[]) {
    return this.read(`/Contacts?where=${numbers.map((n) => `ContactNumber=="${n}"`).join(' OR ')}`, []);
  }

  getInvoicesByNumbers(_tenantId: string, numbers: string[]) {
    return this.read(`/Invoices?InvoiceNumbers=${numbers.join(',')}`, []);
  }

  getPaymentsWhere(_tenantId: string, where: string) {
    return this.read(`/Payments?where=${where}`, []);
  }

  getCreditNote(_tenantId: string, creditNoteId: string) {
    return this.read<Json | undefined>(`/CreditNotes/${creditNoteId}`, undefined);
  }

  private async write<T extends object>(
    method: 'POST' | 'PUT',
    path: string,
    field: string,
    bodies: T[],
    ids: (body: T) => Json,
  ): Promise<CallOutcome<XeroElement[]>> {
    this.requests.push({ method, path, body: { [field]: bodies } });
    return { status: 200, body: bodies.map((b) => ({ ...b, ...ids(b) })) };
  }

  private async read<T>(path: string, answer: T): Promise<CallOutcome<T>> {
    this.requests.push({ method: 'GET', path });
    return { status: 200, body: answer };
  }
}
