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
 * How far Xero takes a stated line tax from its own figure: a cent (the Xero sandbox's strict reading of Xero's
 * docs, which allow an override without naming a bound; see tools/xero-sandbox/README.md).
 */
export const TAX_OVERRIDE_LIMIT_CENTS = 1n;

/**
 * The Xero line(s) for a store line. Quantity and unit price stay as the store shows them where Xero's
 * LineAmount (round2(quantity × unit, 4 dp) − discount) then equals the store's amount; otherwise the unit price
 * is the amount over the quantity, or, where no 4-dp unit price reaches it, quantity 1 at the amount. The store's
 * tax goes on the line as TaxAmount wherever Xero's own per-line rounding differs (by a cent at most). A store
 * that rounds tax per unit can be further off on a line of several units: the line is then split into parts of
 * the same item, each within a cent. A store that taxes before its discount gets the line undiscounted plus a
 * no-tax discount line, which is what it charged. A tax that fits none of these is a mapping mistake (the wrong
 * rate for the line) and is refused, naming it.
 */
export function mapStoreLine(
  line: StoreLine,
  types: LineAmountTypes,
  mapping: XeroMappingSettings,
  opts: { allowDiscount: boolean; what: string },
): MappedLine {
  const fitted = fit(line, line.amountCents, types, opts.allowDiscount);
  if (fitted) return fitted;
  if (line.discountCents !== 0n) {
    const undiscounted = fit({ ...line, discountCents: 0n }, line.amountCents + line.discountCents, types, false);
    if (undiscounted) {
      const discount: XeroLineJson = {
        Description: `Discount: ${line.description}`.slice(0, 4000),
        Quantity: 1,
        UnitAmount: -fromCents(line.discountCents),
        AccountCode: line.accountCode,
        TaxType: mapping.noTaxType,
      };
      return {
        lines: [...undiscounted.lines, discount],
        outcomes: [...undiscounted.outcomes, { lineCents: -line.discountCents, taxCents: 0n }],
      };
    }
  }
  const computed = xeroLine(amountLine(line, line.amountCents, opts.allowDiscount), line.taxPercent, types).taxCents;
  throw new XeroError(
    'VALIDATION',
    `${opts.what}: the store charged tax ${fromCents(line.taxCents).toFixed(2)} on ${fromCents(line.amountCents).toFixed(2)}, ` +
      `but ${line.taxType} (${line.taxPercent}%) gives ${fromCents(computed).toFixed(2)}; the line's tax rate is mapped to the wrong Xero tax type`,
  );
}

/** The line as one Xero line, or as parts of whole units, each carrying its tax within Xero's override limit. */
function fit(
  line: StoreLine,
  amountCents: bigint,
  types: LineAmountTypes,
  allowDiscount: boolean,
): MappedLine | undefined {
  const whole = amountLine(line, amountCents, allowDiscount);
  const gap = abs(xeroLine(whole, line.taxPercent, types).taxCents - line.taxCents);
  if (gap <= TAX_OVERRIDE_LIMIT_CENTS) return withStoreTax(whole, line, types);
  if (gap > taxRoundingToleranceCents(line.quantity) || !Number.isInteger(line.quantity)) return undefined;
  // Per-unit rounding: a cent per part at most, so at least `gap` parts; a few more where parts round unevenly.
  for (let parts = Number(gap); parts <= Math.min(line.quantity, Number(gap) * 2 + 2); parts++) {
    const split = splitLine(line, amountCents, parts);
    const mapped = split.map((p) => {
      const json = amountLine(p, p.amountCents, allowDiscount);
      const ok = abs(xeroLine(json, p.taxPercent, types).taxCents - p.taxCents) <= TAX_OVERRIDE_LIMIT_CENTS;
      return ok ? withStoreTax(json, p, types) : undefined;
    });
    if (mapped.every((m): m is MappedLine => !!m)) {
      return { lines: mapped.flatMap((m) => m.lines), outcomes: mapped.flatMap((m) => m.outcomes) };
    }
  }
  return undefined;
}

/** `parts` lines of whole units sharing the line's amount, tax and discount in proportion (the last takes the rest). */
function splitLine(line: StoreLine, amountCents: bigint, parts: number): StoreLine[] {
  const q = BigInt(line.quantity);
  const n = BigInt(parts);
  const out: StoreLine[] = [];
  let doneQty = 0n;
  let doneAmount = 0n;
  let doneTax = 0n;
  let doneDiscount = 0n;
  for (let i = 1n; i <= n; i++) {
    const qty = i === n ? q : (q * i) / n;
    const share = (total: bigint, done: bigint) => (i === n ? total - done : divRound(total * qty, q) - done);
    const part: StoreLine = {
      ...line,
      quantity: Number(qty - doneQty),
      amountCents: share(amountCents, doneAmount),
      taxCents: share(line.taxCents, doneTax),
      discountCents: share(line.discountCents, doneDiscount),
    };
    out.push(part);
    doneQty = qty;
    doneAmount += part.amountCents;
    doneTax += part.taxCents;
    doneDiscount += part.discountCents;
  }
  return out;
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
