import { ENTITIES } from '@xero-sync/contracts';
import { XERO_KIND_OF_ENTITY, xeroDeepLink, xeroDeepLinkOf } from './deep-link';

const ID = '1cf1a11c-a067-4a05-9c8b-06f281f7afed';

describe('xeroDeepLink', () => {
  it.each([
    ['invoice', `/AccountsReceivable/View.aspx?InvoiceID=${ID}`],
    ['contact', `/Contacts/View/${ID}`],
    ['item', `/Accounts/Inventory/${ID}`],
    ['creditnote', `/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=${ID}`],
    ['payment', `/Bank/ViewTransaction.aspx?bankTransactionID=${ID}`],
  ] as const)('opens a %s in the org named by its short code', (kind, path) => {
    expect(xeroDeepLink(kind, '!NLglS', ID)).toBe(
      `https://go.xero.com/organisationlogin/default.aspx?shortcode=!NLglS&redirecturl=${path}`,
    );
  });

  it("opens the document's own path on go.xero.com when the short code is unknown", () => {
    expect(xeroDeepLink('payment', undefined, ID)).toBe(
      `https://go.xero.com/Bank/ViewTransaction.aspx?bankTransactionID=${ID}`,
    );
    expect(xeroDeepLink('contact', '', ID)).toBe(`https://go.xero.com/Contacts/View/${ID}`);
  });

  it('escapes ids and short codes', () => {
    expect(xeroDeepLink('contact', 'a&b', 'x/y')).toBe(
      'https://go.xero.com/organisationlogin/default.aspx?shortcode=a%26b&redirecturl=/Contacts/View/x%2Fy',
    );
  });

  it('maps every store entity to the Xero document it becomes', () => {
    expect(ENTITIES.map((e) => XERO_KIND_OF_ENTITY[e])).toEqual([
      'contact',
      'item',
      'invoice',
      'payment',
      'creditnote',
    ]);
    expect(xeroDeepLinkOf('invoice', undefined, ID)).toContain('/Bank/ViewTransaction.aspx?bankTransactionID=');
  });
});
