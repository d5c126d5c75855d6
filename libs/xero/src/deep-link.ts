/** The kinds of Xero documents that have a deep link. */
export type XeroDeepLinkKind = 'invoice' | 'contact' | 'item' | 'creditnote';

const PATHS: Record<XeroDeepLinkKind, (id: string) => string> = {
  invoice: (id) => `/AccountsReceivable/View.aspx?InvoiceID=${id}`,
  contact: (id) => `/Contacts/View/${id}`,
  item: (id) => `/Accounts/Inventory/${id}`,
  creditnote: (id) => `/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=${id}`,
};

/**
 * "View On Xero": Xero's organisation login deep link, which switches the user to the org identified by its
 * short code and then opens the document.
 */
export function xeroDeepLink(kind: XeroDeepLinkKind, shortCode: string, xeroId: string): string {
  const redirect = PATHS[kind](encodeURIComponent(xeroId));
  return `https://go.xero.com/organisationlogin/default.aspx?shortcode=${encodeURIComponent(shortCode)}&redirecturl=${redirect}`;
}
