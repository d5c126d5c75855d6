import type { XeroLinkRecord } from '@xero-sync/persistence';
import { sha256Hex, stableStringify } from '@xero-sync/security';

/** A JSON object as Xero answers it. */
export type Json = Record<string, unknown>;

/** Content hash of a Xero body (kept in xero_links: an unchanged body costs no call). */
export function hashOf(body: object): string {
  return sha256Hex(stableStringify(body));
}

/** A non-empty string field of a Xero answer, else undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

/** A finite number field of a Xero answer, else undefined. */
export function numOf(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The money/status state of an invoice element as Xero returned it. */
export function invoiceState(el: Json): Partial<XeroLinkRecord> {
  return {
    xeroId: str(el.InvoiceID),
    xeroStatus: str(el.Status),
    total: numOf(el.Total),
    amountDue: numOf(el.AmountDue),
    amountPaid: numOf(el.AmountPaid),
    amountCredited: numOf(el.AmountCredited),
  };
}
