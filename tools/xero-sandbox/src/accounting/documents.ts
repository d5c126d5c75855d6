import { randomUUID } from 'node:crypto';
import { round, sub2, sum2 } from '../rules/money';
import { checkCreateStatus, checkTransition, DOC_STATUSES, DocNoun, DocStatus } from '../rules/status';
import { applyTaxOverride, computeLine, computeTotals, ComputedLine, LineAmountType } from '../rules/totals';
import { currencyEnabled } from '../state/orgs';
import { DocRec, Json, LineRec, norm, OrgRec } from '../state/records';
import { Journal } from '../state/table';
import { resolveContactRef } from './contacts';
import { Problems, num, obj, str, text } from './context';
import { accountByCode, taxRateByType } from './refs';
import { parseDay, dayOf } from './xero-format';

/** What differs between invoices and credit notes in the shared document rules. */
export interface DocKind {
  noun: DocNoun;
  /** Discounts exist on sales invoices only (Xero: not on bills or credit notes). */
  discountsOn: string[];
  /** Types whose lines default from an item's SalesDetails (else PurchaseDetails). */
  salesTypes: string[];
}

const LINE_AMOUNT_TYPES: LineAmountType[] = ['Exclusive', 'Inclusive', 'NoTax'];

/** The parts of DocRec a create or update computes; the caller adds ids, numbers and amounts due. */
export type DocCore = Omit<DocRec, 'updatedMs'>;

/**
 * Applies the rules invoices and credit notes share, producing the document's new core fields: the contact
 * (resolved or created), the currency (base or enabled), the status transition, line items with Xero's line and
 * tax rounding, and the totals. `existing` is the stored document for an update.
 */
export function buildDocument(
  org: OrgRec,
  el: Json,
  existing: DocRec | undefined,
  kind: DocKind,
  type: string,
  unitDp: 2 | 4,
  hasPayments: boolean,
  journal: Journal,
  now: number,
  p: Problems,
): DocCore {
  const status = (str(el.Status)?.toUpperCase() as DocStatus | undefined) ?? existing?.Status ?? 'DRAFT';
  if (!DOC_STATUSES.includes(status)) p.add(`${kind.noun} status ${status} is not valid`);
  else if (!existing) {
    const m = checkCreateStatus(status, kind.noun);
    if (m) p.add(m);
  }
  const lat = (str(el.LineAmountTypes) ?? existing?.LineAmountTypes ?? 'Exclusive') as LineAmountType;
  if (!LINE_AMOUNT_TYPES.includes(lat)) p.add(`LineAmountTypes ${lat} is not valid`);

  const currency = (str(el.CurrencyCode) ?? existing?.CurrencyCode ?? org.baseCurrency).toUpperCase();
  if (!currencyEnabled(org, currency)) p.add(`Organisation is not subscribed to currency ${currency}`);
  const currencyRate = currency === org.baseCurrency ? 1 : (num(el.CurrencyRate) ?? existing?.CurrencyRate ?? 1);

  const date = el.Date !== undefined ? parseDay(el.Date) : (existing?.Date ?? dayOf(now));
  if (date === undefined) p.add(`Date '${text(el.Date)}' is not a valid date`);
  const dueDate = el.DueDate !== undefined ? parseDay(el.DueDate) : existing?.DueDate;
  if (el.DueDate !== undefined && el.DueDate !== null && dueDate === undefined) {
    p.add(`DueDate '${text(el.DueDate)}' is not a valid date`);
  }

  let lines = existing?.LineItems ?? [];
  let linesChanged = false;
  if (Array.isArray(el.LineItems)) {
    lines = buildLines(org, el.LineItems as Json[], existing?.LineItems ?? [], kind, type, lat, unitDp, p);
    linesChanged = !sameLines(lines, existing?.LineItems ?? []);
  } else if (!existing) {
    p.add('At least one line item must be specified');
  } else if (el.LineAmountTypes !== undefined && lat !== existing.LineAmountTypes) {
    // The stored tax belongs to the old reading of the amounts, so it is recomputed rather than carried over as
    // an override that would now be judged against the new one.
    const relined = existing.LineItems.map(({ TaxAmount: _tax, ...rest }) => rest as unknown as Json);
    lines = buildLines(org, relined, existing.LineItems, kind, type, lat, unitDp, p);
    linesChanged = true;
  }
  if (!existing && lines.length === 0 && Array.isArray(el.LineItems)) p.add('At least one line item must be specified');
  if (status === 'AUTHORISED' && lines.some((l) => !l.AccountCode)) {
    p.add(`Account code must be specified for each line item on an approved ${kind.noun.toLowerCase()}`);
  }

  if (existing) {
    const m = checkTransition(existing.Status, status, { noun: kind.noun, hasPayments, linesChanged });
    if (m) p.add(m);
  }
  if (existing && hasPayments && currency !== existing.CurrencyCode) {
    p.add(`${kind.noun} with payments cannot change currency`);
  }

  const totals = computeTotals(
    lines.map((l) => ({ ...l, discount: 0 })),
    lat,
  );
  // Xero refuses a document whose total is below zero (a single line may be negative, the document may not).
  if (totals.Total < 0) p.add('The Total for this document must be greater than or equal to zero.');

  // The contact is resolved last so a failing document never creates a contact as a side effect.
  let contactId = existing?.ContactID;
  if (!p.any && (el.Contact !== undefined || !existing)) {
    try {
      contactId = resolveContactRef(org, obj(el.Contact), journal, now).ContactID;
    } catch (e) {
      for (const m of (e as { messages?: string[] }).messages ?? [(e as Error).message]) p.add(m);
    }
  } else if (!existing && el.Contact === undefined) {
    p.add('A Contact must be specified for this type of transaction');
  }
  p.throwIfAny();

  return {
    Type: type,
    ContactID: contactId!,
    Reference: el.Reference !== undefined ? str(el.Reference) : existing?.Reference,
    Date: date!,
    DueDate: dueDate,
    LineAmountTypes: lat,
    CurrencyCode: currency,
    CurrencyRate: currencyRate,
    Status: status,
    LineItems: lines,
    SubTotal: totals.SubTotal,
    TotalTax: totals.TotalTax,
    Total: totals.Total,
    TotalDiscount: sum2(lines.map(lineDiscount)),
    FullyPaidOnDate: existing?.FullyPaidOnDate,
    BrandingThemeID: el.BrandingThemeID !== undefined ? str(el.BrandingThemeID) : existing?.BrandingThemeID,
    Url: el.Url !== undefined ? str(el.Url) : existing?.Url,
    SentToContact: typeof el.SentToContact === 'boolean' ? el.SentToContact : existing?.SentToContact,
  };
}

function lineDiscount(l: LineRec): number {
  const gross = round(l.Quantity * l.UnitAmount, 2);
  return Math.max(0, sub2(gross, l.LineAmount));
}

function buildLines(
  org: OrgRec,
  input: Json[],
  previous: LineRec[],
  kind: DocKind,
  type: string,
  lat: LineAmountType,
  unitDp: 2 | 4,
  p: Problems,
): LineRec[] {
  const sales = kind.salesTypes.includes(type);
  return input.map((raw) => {
    const itemCode = str(raw.ItemCode);
    const item = itemCode ? org.items.find('code', norm(itemCode)) : undefined;
    if (itemCode && !item) p.add(`Item code '${itemCode}' is not valid`);
    const details = obj(item?.fields[sales ? 'SalesDetails' : 'PurchaseDetails']);
    const description =
      str(raw.Description) ??
      str(item?.fields[sales ? 'Description' : 'PurchaseDescription']) ??
      (item ? item.Code : undefined);
    if (!description && !itemCode) p.add('The description field is mandatory for each line item.');
    const accountCode = str(raw.AccountCode) ?? str(details?.AccountCode);
    const account = accountByCode(org, accountCode, p);
    let taxType = str(raw.TaxType) ?? str(details?.TaxType) ?? account?.TaxType ?? 'NONE';
    if (lat === 'NoTax') taxType = 'NONE';
    const rate = taxRateByType(org, taxType, p);
    const discountRate = num(raw.DiscountRate);
    const discountAmount = num(raw.DiscountAmount);
    if ((discountRate || discountAmount) && !kind.discountsOn.includes(type)) {
      p.add(`Discounts are not supported on ${type} documents`);
    }
    const tracking = Array.isArray(raw.Tracking) ? (raw.Tracking as Json[]) : undefined;
    if (tracking && tracking.length > 2) p.add('A line item can have at most 2 tracking categories');
    const computedLine: ComputedLine = computeLine(
      {
        Quantity: num(raw.Quantity),
        UnitAmount: num(raw.UnitAmount) ?? num(details?.UnitPrice),
        LineAmount: num(raw.LineAmount),
        DiscountRate: discountRate,
        DiscountAmount: discountAmount,
        taxRatePercent: rate?.Rate ?? 0,
      },
      lat,
      unitDp,
    );
    // A line sent without TaxAmount gets Xero's own tax, even when it replaces a line that carried an override.
    // With an unknown tax type the line already fails, so its TaxAmount is not judged as well.
    const override = applyTaxOverride(computedLine, rate ? num(raw.TaxAmount) : undefined, {
      taxType: rate?.TaxType ?? taxType,
      taxRatePercent: rate?.Rate ?? 0,
      lineAmountTypes: lat,
    });
    for (const m of override.problems) p.add(m);
    const computed = override.line;
    const id = str(raw.LineItemID);
    return {
      LineItemID: id && previous.some((l) => l.LineItemID === id) ? id : randomUUID(),
      ...(description !== undefined ? { Description: description } : {}),
      Quantity: computed.Quantity,
      UnitAmount: computed.UnitAmount,
      ...(itemCode ? { ItemCode: item?.Code ?? itemCode } : {}),
      ...(account ? { AccountCode: account.Code } : accountCode ? { AccountCode: accountCode } : {}),
      TaxType: rate?.TaxType ?? taxType,
      TaxAmount: computed.TaxAmount,
      LineAmount: computed.LineAmount,
      ...(discountRate !== undefined ? { DiscountRate: discountRate } : {}),
      ...(discountAmount !== undefined ? { DiscountAmount: discountAmount } : {}),
      ...(tracking ? { Tracking: tracking } : {}),
    };
  });
}

function sameLines(a: LineRec[], b: LineRec[]): boolean {
  const strip = (ls: LineRec[]) => JSON.stringify(ls.map(({ LineItemID: _id, ...rest }) => rest));
  return strip(a) === strip(b);
}
