import { XeroMappingSettings } from '@xero-sync/persistence';
import { XeroError } from '../xero.errors';
import { divRound, fromCents, scaled, unscale } from './money';
import { LineAmountTypes, LineOutcome, xeroLine } from './xero-totals';
import { XeroLineJson } from './xero-documents';

/**
 * One line of a store document as the store itself states it, in the document's LineAmountTypes terms:
 * `amountCents` is what the line adds to the document after its discount (gross for Inclusive, net for
 * Exclusive) and `taxCents` the tax the store charged on it. The Xero line must carry both exactly.
 */
export interface StoreLine {
  description: string;
  quantity: number;
  /** Unit price as the store shows it (incl. tax for Inclusive documents, excl. otherwise). */
  unitPrice: number;
  /** Discount the store took off this line, in the same terms as `amountCents` (0 when none). */
  discountCents: bigint;
  amountCents: bigint;
  taxCents: bigint;
  taxType: string;
  taxPercent: number;
  accountCode: string;
  itemCode?: string;
}

export interface MappedLine {
  lines: XeroLineJson[];
  outcomes: LineOutcome[];
}

/**
 * How far a store's own line tax may sit from Xero's per-line computation and still be a rounding difference
 * rather than a mapping mistake. Magento rounds per row with a carried delta (at most a cent away), or per unit:
 * each unit's tax rounded (half a cent each at most) and Xero's rounding of the whole line (half a cent), so
 * the bound is the larger of one cent and ⌊qty/2 + 1/2⌋ cents.
 */
export function taxRoundingToleranceCents(quantity: number): bigint {
  const perUnit = (scaled(Math.abs(quantity), 4) * 5n + 50_000n) / 100_000n;
  return perUnit > 1n ? perUnit : 1n;
}

/**
 * The Xero line(s) for a store line. Quantity and unit price stay as the store shows them where Xero's
 * LineAmount (round2(quantity × unit, 4 dp) − discount) then equals the store's amount; otherwise the unit price
 * is the amount over the quantity, or, where no 4-dp unit price reaches it, quantity 1 at the amount. The store's
 * tax goes on the line as TaxAmount wherever Xero's own per-line rounding would differ by a rounding difference.
 * A store that taxes before its discount gets the line undiscounted plus a no-tax discount line, which is what
 * it charged. A tax that fits neither is a mapping mistake (wrong rate for the line) and is refused, naming it.
 */
export function mapStoreLine(
  line: StoreLine,
  types: LineAmountTypes,
  mapping: XeroMappingSettings,
  opts: { allowDiscount: boolean; what: string },
): MappedLine {
  const tolerance = taxRoundingToleranceCents(line.quantity);
  const plain = amountLine(line, line.amountCents, opts.allowDiscount);
  const computed = xeroLine(plain, line.taxPercent, types).taxCents;
  if (abs(computed - line.taxCents) <= tolerance) return withStoreTax(plain, line, types);
  if (line.discountCents !== 0n) {
    const undiscounted = amountLine(line, line.amountCents + line.discountCents, false);
    const full = xeroLine(undiscounted, line.taxPercent, types).taxCents;
    if (abs(full - line.taxCents) <= tolerance) {
      const discount: XeroLineJson = {
        Description: `Discount: ${line.description}`.slice(0, 4000),
        Quantity: 1,
        UnitAmount: -fromCents(line.discountCents),
        AccountCode: line.accountCode,
        TaxType: mapping.noTaxType,
      };
      const main = withStoreTax(undiscounted, line, types);
      return {
        lines: [...main.lines, discount],
        outcomes: [...main.outcomes, { lineCents: -line.discountCents, taxCents: 0n }],
      };
    }
  }
  throw new XeroError(
    'VALIDATION',
    `${opts.what}: the store charged tax ${fromCents(line.taxCents).toFixed(2)} on ${fromCents(line.amountCents).toFixed(2)}, ` +
      `but ${line.taxType} (${line.taxPercent}%) gives ${fromCents(computed).toFixed(2)}; the line's tax rate is mapped to the wrong Xero tax type`,
  );
}

/** The line with the store's tax, sent as TaxAmount only where Xero's own per-line rounding would differ. */
function withStoreTax(json: XeroLineJson, line: StoreLine, types: LineAmountTypes): MappedLine {
  const own = xeroLine(json, line.taxPercent, types);
  const out = own.taxCents === line.taxCents ? json : { ...json, TaxAmount: fromCents(line.taxCents) };
  return { lines: [out], outcomes: [{ lineCents: own.lineCents, taxCents: line.taxCents }] };
}

/** A Xero line whose LineAmount is exactly `amountCents`, keeping the store's quantity and unit price if it can. */
function amountLine(line: StoreLine, amountCents: bigint, allowDiscount: boolean): XeroLineJson {
  const base: XeroLineJson = {
    Description: line.description,
    Quantity: line.quantity,
    UnitAmount: 0,
    AccountCode: line.accountCode,
    TaxType: line.taxType,
    ...(line.itemCode ? { ItemCode: line.itemCode } : {}),
  };
  const qty = scaled(line.quantity, 4);
  if (qty > 0n) {
    const unit = scaled(line.unitPrice, 4);
    const grossCents = divRound(qty * unit, 10n ** 6n);
    const discount = grossCents - amountCents;
    if (discount === 0n || (allowDiscount && discount > 0n && grossCents > 0n)) {
      return {
        ...base,
        UnitAmount: unscale(unit, 4),
        ...(discount !== 0n ? { DiscountAmount: fromCents(discount) } : {}),
      };
    }
    const perUnit = divRound(amountCents * 10n ** 6n, qty); // 4 dp
    if (divRound(qty * perUnit, 10n ** 6n) === amountCents) return { ...base, UnitAmount: unscale(perUnit, 4) };
  }
  const shown = line.quantity ? ` (${line.quantity} × ${line.unitPrice})` : '';
  return { ...base, Description: `${line.description}${shown}`, Quantity: 1, UnitAmount: fromCents(amountCents) };
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}
