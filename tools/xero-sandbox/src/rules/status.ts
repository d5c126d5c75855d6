/** Statuses shared by invoices and credit notes. */
export type DocStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';

export const DOC_STATUSES: readonly DocStatus[] = ['DRAFT', 'SUBMITTED', 'AUTHORISED', 'PAID', 'VOIDED', 'DELETED'];

/** The noun Xero uses in its messages for the document kind. */
export type DocNoun = 'Invoice' | 'Credit Note';

/** The phrase Xero answers with when a locked document is edited; clients match on it. */
export function notValidForModification(noun: DocNoun): string {
  return `${noun} not of valid status for modification`;
}

/** A document can be created as DRAFT, SUBMITTED or AUTHORISED; PAID is reached only through payments. */
export function checkCreateStatus(status: DocStatus, noun: DocNoun): string | undefined {
  if (status === 'DRAFT' || status === 'SUBMITTED' || status === 'AUTHORISED') return undefined;
  return `${noun} not of valid status for creation`;
}

export interface TransitionContext {
  noun: DocNoun;
  /** Payments or allocations (not deleted) exist against the document. */
  hasPayments: boolean;
  /** The update touches line items (amounts, accounts, tax). */
  linesChanged: boolean;
}

/**
 * Xero's status machine: DRAFT ⇄ SUBMITTED → AUTHORISED → PAID (by payments only) or VOIDED (only when nothing is
 * paid or allocated); DELETED only from DRAFT or SUBMITTED. PAID, VOIDED and DELETED documents are locked, and so
 * are the lines of an AUTHORISED document that has payments. Returns the validation message, or undefined if allowed.
 */
export function checkTransition(from: DocStatus, to: DocStatus, ctx: TransitionContext): string | undefined {
  const locked = notValidForModification(ctx.noun);
  if (from === 'PAID' || from === 'VOIDED' || from === 'DELETED') return locked;
  if (to === 'PAID') return `${ctx.noun} status cannot be set to PAID; apply payments instead`;
  switch (from) {
    case 'DRAFT':
    case 'SUBMITTED':
      if (to === 'VOIDED') return `Only AUTHORISED ${ctx.noun.toLowerCase()}s can be voided; delete drafts instead`;
      return undefined;
    case 'AUTHORISED':
      if (to === 'DRAFT' || to === 'SUBMITTED') return locked;
      if (to === 'DELETED') return `An AUTHORISED ${ctx.noun.toLowerCase()} cannot be deleted; void it instead`;
      if (ctx.hasPayments && to === 'VOIDED') {
        return `This ${ctx.noun.toLowerCase()} has payments or credit allocated and cannot be voided`;
      }
      if (ctx.hasPayments && ctx.linesChanged) return locked;
      return undefined;
  }
}
