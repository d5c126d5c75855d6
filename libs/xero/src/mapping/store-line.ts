import { XeroMappingSettings } from '@xero-sync/persistence';
import { XeroError } from '../xero.errors';
import { cents, divRound, fromCents, scaled, unscale } from './money';
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
  /** How many tax rates the store applied to the line, each rounded on its own (default 1). */
  rateCount?: number;
  /** The line's figures are a share of another line's (a partial refund): Magento rounds the share once more. */
  prorated?: boolean;
}

export interface MappedLine {
  lines: XeroLineJson[];
  outcomes: LineOutcome[];
}

/**
 * How far a store's own line tax may sit from Xero's per-line computation and still be a rounding difference
 * rather than a mapping mistake. Magento rounds per row with a carried delta (at most a cent away), or per unit:
 * each unit's tax rounded (half a cent each at most) and Xero's rounding of the whole line (half a cent), so
 * the bound is the larger of one cent and ⌊qty/2 + 1/2⌋ cents. Several rates on one line (a state and a city
 * rate, a compounding provincial rate) are each rounded on their own: a cent per rate.
 */
export function taxRoundingToleranceCents(quantity: number, rateCount = 1): bigint {
  const perUnit = (scaled(Math.abs(quantity), 4) * 5n + 50_000n) / 100_000n;
  const perRate = BigInt(Math.max(1, rateCount));
  return perUnit > perRate ? perUnit : perRate;
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
  const bound = taxRoundingToleranceCents(line.quantity, line.rateCount) + (line.prorated ? 1n : 0n);
  if (gap > bound) return undefined;
  // A cent per part at most, so at least `gap` parts; a few more where parts round unevenly.
  for (let parts = Number(gap); parts <= Number(gap) * 2 + 2; parts++) {
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

/**
 * `parts` lines sharing the line's quantity (whole units where it has enough, else fractions at Xero's 4 dp),
 * amount, tax and discount in proportion; the last part takes what is left of each.
 */
function splitLine(line: StoreLine, amountCents: bigint, parts: number): StoreLine[] {
  const n = BigInt(parts);
  const q = scaled(line.quantity, 4);
  const whole = q % 10_000n === 0n && q / 10_000n >= n;
  const out: StoreLine[] = [];
  let done = { qty: 0n, amount: 0n, tax: 0n, discount: 0n };
  for (let i = 1n; i <= n; i++) {
    const qty = i === n ? q : whole ? (((q / 10_000n) * i) / n) * 10_000n : (q * i) / n;
    const share = (total: bigint) => (i === n ? total : divRound(total * qty, q));
    const next = { qty, amount: share(amountCents), tax: share(line.taxCents), discount: share(line.discountCents) };
    out.push({
      ...line,
      quantity: unscale(next.qty - done.qty, 4),
      amountCents: next.amount - done.amount,
      taxCents: next.tax - done.tax,
      discountCents: next.discount - done.discount,
    });
    done = next;
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

/** The money fields of a store line (an order item, or a line of a store invoice or credit memo). */
export interface StoreItemFields {
  name?: string | null;
  sku: string;
  price: number;
  price_incl_tax?: number | null;
  row_total: number;
  row_total_incl_tax?: number | null;
  tax_amount?: number | null;
  discount_amount?: number | null;
}

/** A store line's figures in cents: its discount, hidden tax, tax, and its amount net and gross of tax. */
export interface ItemFigures {
  discount: bigint;
  hidden: bigint;
  tax: bigint;
  net: bigint;
  gross: bigint;
}

export function itemFigures(item: StoreItemFields): ItemFigures {
  const discount = cents(item.discount_amount ?? 0);
  const stated = (item as { discount_tax_compensation_amount?: unknown }).discount_tax_compensation_amount;
  const hidden = typeof stated === 'number' && Number.isFinite(stated) ? cents(stated) : 0n;
  const tax = cents(item.tax_amount ?? 0);
  const net = cents(item.row_total) - discount + hidden;
  // Magento's own identity (grand total = subtotal − discount + tax + hidden tax) line by line; a payload that keeps
  // no hidden tax per line states the gross itself.
  const gross =
    typeof stated === 'number' || item.row_total_incl_tax === null || item.row_total_incl_tax === undefined
      ? net + tax
      : cents(item.row_total_incl_tax) - discount;
  return { discount, hidden, tax, net, gross };
}

/** The StoreLine of an item in the document's terms (gross and incl. prices for Inclusive documents). */
export function itemStoreLine(
  item: StoreItemFields,
  figures: ItemFigures,
  line: { quantity: number; inclusive: boolean; taxType: string; taxPercent: number; accountCode: string },
  extra: Pick<StoreLine, 'itemCode' | 'rateCount' | 'prorated'> = {},
): StoreLine {
  const perUnitIncl = () =>
    fromCents(divRound(cents(item.row_total_incl_tax ?? 0) * 10000n, scaled(line.quantity || 1, 4)));
  return {
    description: item.name ?? item.sku,
    quantity: line.quantity,
    unitPrice: line.inclusive ? (item.price_incl_tax ?? perUnitIncl()) : item.price,
    discountCents: line.inclusive ? figures.discount : figures.discount - figures.hidden,
    amountCents: line.inclusive ? figures.gross : figures.net,
    taxCents: figures.tax,
    taxType: line.taxType,
    taxPercent: line.taxPercent,
    accountCode: line.accountCode,
    ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
  };
}
