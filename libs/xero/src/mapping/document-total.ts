import { XeroMappingSettings } from '@xero-sync/persistence';
import { XeroError } from '../xero.errors';
import { cents, fromCents } from './money';
import { LineAmountTypes, LineOutcome, xeroLine, xeroTotals } from './xero-totals';
import { MappedTotals, XeroLineJson } from './xero-documents';

/**
 * Closes what is left between the mapped lines and the store's total. Lines carry the store's own amounts and
 * taxes, so what is left is a residue of the store's own rounding (its total rounded apart from its lines): a
 * rounding line (no tax, rounding account) takes it while it is within the store's cap. A larger gap is a mapping
 * mistake or a figure the mapping does not know, and the record fails naming the store figure, the mapped figure
 * and the gap: nothing is posted that would not equal the store. Mutates `lines`/`outcomes`.
 */
export function closeResidue(
  lines: XeroLineJson[],
  outcomes: LineOutcome[],
  store: { total: number; tax?: number | null },
  types: LineAmountTypes,
  mapping: XeroMappingSettings,
  what: string,
): MappedTotals {
  const before = xeroTotals(outcomes, types);
  const gap = cents(store.total) - cents(before.total);
  let roundingAdjustment = 0;
  if (gap !== 0n) {
    const cap = cents(mapping.roundingCap ?? 0.05);
    const within = mapping.roundingLine && (gap < 0n ? -gap : gap) <= cap;
    if (!within) {
      throw new XeroError(
        'VALIDATION',
        `${what}: the store's total is ${money(cents(store.total))} but the mapped lines make ${money(cents(before.total))} ` +
          `(gap ${money(gap)}), ${mapping.roundingLine ? `over the rounding cap of ${money(cap)}` : 'and rounding lines are off'}; ` +
          'nothing was posted: check the tax, discount and amount mapping of this record',
      );
    }
    roundingAdjustment = fromCents(gap);
    const line: XeroLineJson = {
      Description: 'Rounding',
      Quantity: 1,
      UnitAmount: roundingAdjustment,
      AccountCode: mapping.accounts.rounding,
      TaxType: mapping.noTaxType,
    };
    lines.push(line);
    outcomes.push(xeroLine(line, 0, types));
  }
  const after = xeroTotals(outcomes, types);
  return {
    ...after,
    storeTotal: fromCents(cents(store.total)),
    ...(store.tax !== undefined && store.tax !== null ? { storeTax: fromCents(cents(store.tax)) } : {}),
    roundingAdjustment,
  };
}

function money(c: bigint): string {
  return fromCents(c).toFixed(2);
}
