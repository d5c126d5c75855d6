import { checkCreateStatus, checkTransition, DocStatus } from './status';

const ctx = { noun: 'Invoice' as const, hasPayments: false, linesChanged: false };

describe('status rules', () => {
  it('creates only as DRAFT, SUBMITTED or AUTHORISED', () => {
    expect(checkCreateStatus('DRAFT', 'Invoice')).toBeUndefined();
    expect(checkCreateStatus('AUTHORISED', 'Invoice')).toBeUndefined();
    expect(checkCreateStatus('PAID', 'Invoice')).toMatch(/not of valid status/);
  });

  it.each<[DocStatus, DocStatus, boolean]>([
    ['DRAFT', 'SUBMITTED', true],
    ['SUBMITTED', 'AUTHORISED', true],
    ['DRAFT', 'DELETED', true],
    ['SUBMITTED', 'DELETED', true],
    ['AUTHORISED', 'VOIDED', true],
    ['AUTHORISED', 'DELETED', false],
    ['AUTHORISED', 'DRAFT', false],
    ['DRAFT', 'VOIDED', false],
    ['DRAFT', 'PAID', false],
    ['PAID', 'AUTHORISED', false],
    ['VOIDED', 'VOIDED', false],
    ['DELETED', 'DRAFT', false],
  ])('%s → %s allowed=%s', (from, to, allowed) => {
    expect(checkTransition(from, to, ctx) === undefined).toBe(allowed);
  });

  it('locks paid and voided documents with Xero’s message', () => {
    expect(checkTransition('PAID', 'PAID', ctx)).toBe('Invoice not of valid status for modification');
    expect(checkTransition('VOIDED', 'VOIDED', { ...ctx, noun: 'Credit Note' })).toBe(
      'Credit Note not of valid status for modification',
    );
  });

  it('an AUTHORISED document with payments keeps its lines and cannot be voided', () => {
    const paid = { ...ctx, hasPayments: true };
    expect(checkTransition('AUTHORISED', 'AUTHORISED', { ...paid, linesChanged: true })).toMatch(/modification/);
    expect(checkTransition('AUTHORISED', 'AUTHORISED', paid)).toBeUndefined();
    expect(checkTransition('AUTHORISED', 'VOIDED', paid)).toMatch(/cannot be voided/);
  });
});
