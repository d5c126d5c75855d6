/**
 * The tax rates Magento says it applied, read from an order's `extension_attributes`: `item_applied_taxes` lists,
 * per product line (`type: "product"`, `item_id`) and for shipping (`type: "shipping"`), the rates applied with
 * their code, title and percent. Payloads from older producers may lack them; callers then fall back to the line's
 * own tax_percent or, last, to inference from amounts.
 */
export interface AppliedRate {
  code: string;
  title?: string;
  percent: number;
}

export interface AppliedTaxes {
  /** By order item id. */
  items: Map<number, AppliedRate[]>;
  shipping?: AppliedRate[];
}

type Json = Record<string, unknown>;

function rates(value: unknown): AppliedRate[] {
  if (!Array.isArray(value)) return [];
  const out: AppliedRate[] = [];
  for (const r of value as Json[]) {
    if (!r || typeof r !== 'object') continue;
    const code = typeof r.code === 'string' ? r.code : undefined;
    const percent = typeof r.percent === 'number' ? r.percent : Number(r.percent);
    if (code && Number.isFinite(percent))
      out.push({ code, percent, ...(typeof r.title === 'string' ? { title: r.title } : {}) });
  }
  return out;
}

export function appliedTaxesOf(doc: object): AppliedTaxes {
  const ext = ((doc as { extension_attributes?: unknown }).extension_attributes ?? {}) as Json;
  const result: AppliedTaxes = { items: new Map() };
  const perItem = Array.isArray(ext.item_applied_taxes) ? (ext.item_applied_taxes as Json[]) : [];
  for (const entry of perItem) {
    if (!entry || typeof entry !== 'object') continue;
    const applied = rates(entry.applied_taxes);
    if (applied.length === 0) continue;
    if (entry.type === 'shipping') result.shipping = applied;
    else {
      const id = Number(entry.item_id ?? entry.associated_item_id);
      if (Number.isInteger(id)) result.items.set(id, applied);
    }
  }
  return result;
}

/** Facts for taxForLine from the rates applied to one line. */
export function appliedFacts(applied: AppliedRate[] | undefined): { appliedCodes?: string[]; appliedPercent?: number } {
  if (!applied?.length) return {};
  return {
    appliedCodes: applied.map((r) => r.code),
    appliedPercent: Number(applied.reduce((a, r) => a + r.percent, 0).toFixed(4)),
  };
}

/**
 * What the customer paid with gift cards and store credit (Adobe Commerce's gift_cards_amount and
 * customer_balance_amount, in extension_attributes or on the document). Magento takes them off grand_total, but
 * they are tenders, not reductions of the sale: the Xero document carries the whole sale and they are paid on it.
 */
export interface Tenders {
  giftCards: number;
  storeCredit: number;
}

export function tendersOf(doc: object): Tenders {
  const ext = ((doc as { extension_attributes?: unknown }).extension_attributes ?? {}) as Json;
  const top = doc as Json;
  const amount = (field: string) => {
    const v = ext[field] ?? top[field];
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
  };
  return { giftCards: amount('gift_cards_amount'), storeCredit: amount('customer_balance_amount') };
}
