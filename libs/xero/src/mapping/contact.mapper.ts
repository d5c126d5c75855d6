import { createHash } from 'node:crypto';
import { MagentoCustomer, MagentoOrder, isGuestOrder } from '@xero-sync/contracts';
import { XeroMappingSettings } from '@xero-sync/persistence';
import { XeroContactJson } from './xero-documents';

const CONTACT_NUMBER_MAX = 50;
const NAME_MAX = 255;

/** Lower-cased, trimmed email: one guest is one contact however the store capitalised the address. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The full SHA-256 of a guest's normalised email in base64url (43 chars): hex (64) would not fit Xero's
 * 50-char ContactNumber with a prefix, and a truncated hash would not be the full hash docs/conventions.md (Xero keys) fixes.
 */
export function guestKey(email: string): string {
  return createHash('sha256').update(normaliseEmail(email)).digest('base64url');
}

/** The link id of the contact an order is billed to: the customer id, or `guest:<hash>` for guests. */
export function contactEntityIdForOrder(order: MagentoOrder): string {
  return isGuestOrder(order) ? `guest:${guestKey(order.customer_email)}` : String(order.customer_id);
}

/** ContactNumber: prefix + customer id, or prefix + "G" + full email hash for guests. */
export function contactNumberFor(mapping: XeroMappingSettings, contactEntityId: string): string {
  const key = contactEntityId.startsWith('guest:') ? `G${contactEntityId.slice('guest:'.length)}` : contactEntityId;
  const number = `${mapping.prefixes.contact}${key}`;
  if (number.length > CONTACT_NUMBER_MAX) {
    throw new RangeError(
      `ContactNumber "${number}" is over ${CONTACT_NUMBER_MAX} characters; shorten the contact prefix`,
    );
  }
  return number;
}

/** The unique-name fallback: Xero contact names must be unique, so a collision adds the email. */
export function nameWithEmail(name: string, email: string): string {
  return clip(`${name} (${normaliseEmail(email)})`, NAME_MAX);
}

function clip(s: string, max: number): string {
  return [...s].slice(0, max).join('');
}

function personName(first: string | null | undefined, last: string | null | undefined, email: string): string {
  const name = [first, last]
    .map((p) => (p ?? '').trim())
    .filter(Boolean)
    .join(' ');
  return clip(name || normaliseEmail(email), NAME_MAX);
}

type MagentoAddress = NonNullable<MagentoOrder['billing_address']>;

function addressOf(a: MagentoAddress | undefined | null): XeroContactJson['Addresses'] {
  if (!a) return undefined;
  const region = typeof a.region === 'string' ? a.region : (a.region?.region ?? undefined);
  return [
    {
      AddressType: 'POBOX',
      AddressLine1: a.street?.[0] ?? undefined,
      AddressLine2: a.street?.[1] ?? undefined,
      City: a.city ?? undefined,
      Region: region ?? undefined,
      PostalCode: a.postcode ?? undefined,
      Country: a.country_id ?? undefined,
    },
  ];
}

function phonesOf(a: MagentoAddress | undefined | null): XeroContactJson['Phones'] {
  return a?.telephone ? [{ PhoneType: 'DEFAULT', PhoneNumber: a.telephone }] : undefined;
}

/** Customer → Contact. `name` overrides the derived name (a collision-resolved name kept in the links). */
export function mapCustomerContact(
  customer: MagentoCustomer,
  mapping: XeroMappingSettings,
  name?: string,
): XeroContactJson {
  const billing = customer.addresses.find((a) => a.default_billing) ?? customer.addresses[0];
  return {
    ContactNumber: contactNumberFor(mapping, String(customer.id)),
    Name: name ?? personName(customer.firstname, customer.lastname, customer.email),
    FirstName: customer.firstname,
    LastName: customer.lastname,
    EmailAddress: normaliseEmail(customer.email),
    TaxNumber: customer.taxvat ?? undefined,
    Addresses: addressOf(billing),
    Phones: phonesOf(billing),
  };
}

/** The contact an order is billed to, built from the order itself (guests, or a customer not synced yet). */
export function mapOrderContact(order: MagentoOrder, mapping: XeroMappingSettings, name?: string): XeroContactJson {
  const first = order.customer_firstname ?? order.billing_address?.firstname;
  const last = order.customer_lastname ?? order.billing_address?.lastname;
  return {
    ContactNumber: contactNumberFor(mapping, contactEntityIdForOrder(order)),
    Name: name ?? personName(first, last, order.customer_email),
    FirstName: first ?? undefined,
    LastName: last ?? undefined,
    EmailAddress: normaliseEmail(order.customer_email),
    Addresses: addressOf(order.billing_address),
    Phones: phonesOf(order.billing_address),
  };
}

/** Whether a Xero validation message says the contact name is taken. */
export function isNameCollision(message: string): boolean {
  return /name.*(already|unique|exists)/i.test(message);
}
