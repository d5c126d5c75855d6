import type { EntityName } from '@xero-sync/contracts';

/** The kinds of Xero documents that have a deep link. */
export type XeroDeepLinkKind = 'invoice' | 'contact' | 'item' | 'creditnote' | 'payment';

/**
 * Xero's web paths per document kind. Payments (what a store invoice becomes) open in Xero's transaction view,
 * which Xero's own deep-link guide names for payments; a credit note's view lists its allocations and refunds.
 */
const PATHS: Record<XeroDeepLinkKind, (id: string) => string> = {
  invoice: (id) => `/AccountsReceivable/View.aspx?InvoiceID=${id}`,
  contact: (id) => `/Contacts/View/${id}`,
  item: (id) => `/Accounts/Inventory/${id}`,
  creditnote: (id) => `/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=${id}`,
  payment: (id) => `/Bank/ViewTransaction.aspx?bankTransactionID=${id}`,
};

/** The Xero document each store entity becomes (a store invoice is a payment on its order's Xero invoice). */
export const XERO_KIND_OF_ENTITY: Record<EntityName, XeroDeepLinkKind> = {
  customer: 'contact',
  product: 'item',
  order: 'invoice',
  invoice: 'payment',
  creditmemo: 'creditnote',
};

/**
 * "View On Xero". With the org's short code: Xero's organisation login deep link, which switches the user to
 * that org and then opens the document. Without it (the Organisation endpoint could not be read yet): the
 * document's path on go.xero.com itself, which opens it in the org the user last worked in.
 */
export function xeroDeepLink(kind: XeroDeepLinkKind, shortCode: string | undefined, xeroId: string): string {
  const path = PATHS[kind](encodeURIComponent(xeroId));
  if (!shortCode) return `https://go.xero.com${path}`;
  return `https://go.xero.com/organisationlogin/default.aspx?shortcode=${encodeURIComponent(shortCode)}&redirecturl=${path}`;
}

/** "View On Xero" for a store record by its entity type and the Xero id it ended up as. */
export function xeroDeepLinkOf(entity: EntityName, shortCode: string | undefined, xeroId: string): string {
  return xeroDeepLink(XERO_KIND_OF_ENTITY[entity], shortCode, xeroId);
}
