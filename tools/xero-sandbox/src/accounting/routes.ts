import { OperationKey } from '../spec/spec-validator';
import { accountHandlers } from './accounts';
import { contactHandlers } from './contacts';
import { AccountingHandler } from './context';
import { creditNoteHandlers } from './credit-notes';
import { currencyHandlers } from './currencies';
import { invoiceHandlers } from './invoices';
import { itemHandlers } from './items';
import { organisationHandlers } from './organisation';
import { paymentHandlers } from './payments';
import { taxRateHandlers } from './tax-rates';

/** One accounting operation the sandbox serves. */
export interface Route {
  method: 'GET' | 'PUT' | 'POST';
  /** Counter key, e.g. `PUT /Invoices` or `POST /Invoices/{id}`. */
  template: string;
  /** The spec operation whose request body schema applies. */
  spec?: OperationKey;
  /** Wrapper key whose elements are counted (`Invoices`, `Allocations`, …) on writes. */
  resource?: string;
  handler: AccountingHandler;
  pattern: RegExp;
}

function route(
  method: Route['method'],
  path: string,
  handler: AccountingHandler,
  spec?: OperationKey,
  resource?: string,
): Route {
  const source = path.replace(/:id/g, '([^/]+)');
  return {
    method,
    template: `${method} ${path.replace(/:id/g, '{id}')}`,
    spec,
    resource,
    handler,
    pattern: new RegExp(`^${source}/?$`, 'i'),
  };
}

/** Every route under /api.xro/2.0, matched in order (collections before members). */
export const ROUTES: Route[] = [
  route('GET', '/Contacts', contactHandlers.list),
  route('PUT', '/Contacts', contactHandlers.create, 'PUT /Contacts', 'Contacts'),
  route('POST', '/Contacts', contactHandlers.upsert, 'POST /Contacts', 'Contacts'),
  route('GET', '/Contacts/:id', contactHandlers.getOne),
  route('POST', '/Contacts/:id', contactHandlers.update, 'POST /Contacts/{ContactID}', 'Contacts'),
  route('GET', '/Items', itemHandlers.list),
  route('PUT', '/Items', itemHandlers.create, 'PUT /Items', 'Items'),
  route('POST', '/Items', itemHandlers.upsert, 'POST /Items', 'Items'),
  route('GET', '/Items/:id', itemHandlers.getOne),
  route('POST', '/Items/:id', itemHandlers.update, 'POST /Items/{ItemID}', 'Items'),
  route('GET', '/Invoices', invoiceHandlers.list),
  route('PUT', '/Invoices', invoiceHandlers.create, 'PUT /Invoices', 'Invoices'),
  route('POST', '/Invoices', invoiceHandlers.upsert, 'POST /Invoices', 'Invoices'),
  route('GET', '/Invoices/:id', invoiceHandlers.getOne),
  route('POST', '/Invoices/:id', invoiceHandlers.update, 'POST /Invoices/{InvoiceID}', 'Invoices'),
  route('GET', '/Payments', paymentHandlers.list),
  route('PUT', '/Payments', paymentHandlers.createMany, 'PUT /Payments', 'Payments'),
  route('POST', '/Payments', paymentHandlers.createOne, 'POST /Payments', 'Payments'),
  route('GET', '/Payments/:id', paymentHandlers.getOne),
  route('POST', '/Payments/:id', paymentHandlers.remove, 'POST /Payments/{PaymentID}', 'Payments'),
  route('GET', '/CreditNotes', creditNoteHandlers.list),
  route('PUT', '/CreditNotes', creditNoteHandlers.create, 'PUT /CreditNotes', 'CreditNotes'),
  route('POST', '/CreditNotes', creditNoteHandlers.upsert, 'POST /CreditNotes', 'CreditNotes'),
  route('GET', '/CreditNotes/:id', creditNoteHandlers.getOne),
  route('POST', '/CreditNotes/:id', creditNoteHandlers.update, 'POST /CreditNotes/{CreditNoteID}', 'CreditNotes'),
  route(
    'PUT',
    '/CreditNotes/:id/Allocations',
    creditNoteHandlers.allocate,
    'PUT /CreditNotes/{CreditNoteID}/Allocations',
    'Allocations',
  ),
  route('GET', '/Accounts', accountHandlers.list),
  route('GET', '/Accounts/:id', accountHandlers.getOne),
  route('GET', '/TaxRates', taxRateHandlers.list),
  route('GET', '/Currencies', currencyHandlers.list),
  route('GET', '/Organisation', organisationHandlers.get),
];

/** Finds the route for a method and a path relative to /api.xro/2.0, with its `:id` parameter. */
export function matchRoute(method: string, path: string): { route: Route; id?: string } | undefined {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m) return { route: r, id: m[1] === undefined ? undefined : decodeURIComponent(m[1]) };
  }
  return undefined;
}
