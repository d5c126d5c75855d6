import { CallOutcome, XeroElement } from '../client/xero-accounting.client';
import type * as Docs from '../mapping/xero-documents';
import { XeroTransport } from './batch-writer';
import { Json } from './xero-values';

/** One request a run would send to Xero. */
export interface DryRunRequest {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  body?: unknown;
}

/**
 * A Xero that records instead of sending (the dry-run, unit specs): every write is accepted and answered with
 * its own body plus the ids Xero would assign; every lookup finds nothing (the lookups a run makes after a lost
 * answer are recorded, and the preview shows the write that follows when the earlier attempt did not reach Xero).
 */
export class RecordingXero implements XeroTransport {
  readonly requests: DryRunRequest[] = [];

  upsertContacts(_tenantId: string, contacts: Docs.XeroContactJson[]) {
    return this.write('POST', '/Contacts?summarizeErrors=false', 'Contacts', contacts, 'ContactID', 'ContactNumber');
  }

  upsertItems(_tenantId: string, items: Docs.XeroItemJson[]) {
    return this.write('POST', '/Items?summarizeErrors=false&unitdp=4', 'Items', items, 'ItemID', 'Code');
  }

  upsertInvoices(_tenantId: string, invoices: (Docs.XeroInvoiceJson | Docs.XeroInvoiceStatusJson)[]) {
    return this.write(
      'POST',
      '/Invoices?summarizeErrors=false&unitdp=4',
      'Invoices',
      invoices,
      'InvoiceID',
      'InvoiceNumber',
    );
  }

  upsertCreditNotes(_tenantId: string, notes: Docs.XeroCreditNoteJson[]) {
    const path = '/CreditNotes?summarizeErrors=false&unitdp=4';
    return this.write('POST', path, 'CreditNotes', notes, 'CreditNoteID', 'CreditNoteNumber');
  }

  createPayments(_tenantId: string, payments: Docs.XeroPaymentJson[]) {
    return this.write('PUT', '/Payments?summarizeErrors=false', 'Payments', payments, 'PaymentID', 'Reference');
  }

  createAllocation(_tenantId: string, creditNoteId: string, allocation: Docs.XeroAllocationJson) {
    const path = `/CreditNotes/${creditNoteId}/Allocations?summarizeErrors=false`;
    return this.write('PUT', path, 'Allocations', [allocation]);
  }

  getContactsByNumbers(_tenantId: string, numbers: string[]) {
    return this.read(`/Contacts?where=${numbers.map((n) => `ContactNumber=="${n}"`).join(' OR ')}`, []);
  }

  getInvoicesByNumbers(_tenantId: string, numbers: string[]) {
    return this.read<Json[]>(`/Invoices?InvoiceNumbers=${numbers.join(',')}`, []);
  }

  getPaymentsWhere(_tenantId: string, where: string) {
    return this.read(`/Payments?where=${where}`, []);
  }

  getCreditNote(_tenantId: string, creditNoteId: string) {
    return this.read<Json | undefined>(`/CreditNotes/${creditNoteId}`, undefined);
  }

  /** Records the write; each element is answered with its body and its id (kept, or `<IdField of key>`). */
  private async write(
    method: 'POST' | 'PUT',
    path: string,
    field: string,
    bodies: object[],
    idField?: string,
    keyField?: string,
  ): Promise<CallOutcome<XeroElement[]>> {
    this.requests.push({ method, path, body: { [field]: bodies } });
    const answer = (b: Json): XeroElement =>
      idField ? { ...b, [idField]: b[idField] ?? `<${idField} of ${String(b[keyField ?? idField])}>` } : { ...b };
    return { status: 200, body: bodies.map((b) => answer(b as Json)) };
  }

  private async read<T>(path: string, answer: T): Promise<CallOutcome<T>> {
    this.requests.push({ method: 'GET', path });
    return { status: 200, body: answer };
  }
}
