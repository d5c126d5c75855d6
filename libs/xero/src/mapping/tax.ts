import { XeroMappingSettings } from '@xero-sync/persistence';
import { XeroError } from '../xero.errors';

/** Xero TaxType for a store tax percent (within 0.01 points), or a VALIDATION error naming the gap. */
export function taxTypeForPercent(mapping: XeroMappingSettings, percent: number, what: string): string {
  const hit = mapping.taxRates.find((r) => Math.abs(r.percent - percent) < 0.01);
  if (!hit) {
    throw new XeroError(
      'VALIDATION',
      `no Xero tax type mapped for ${percent}% (${what}); add it to the store's tax rate mapping`,
    );
  }
  return hit.taxType;
}

/** Tax percent of a Xero TaxType per the store mapping (0 for the no-tax type and unknown types). */
export function percentOfTaxType(mapping: XeroMappingSettings, taxType: string): number {
  if (taxType === mapping.noTaxType) return 0;
  return mapping.taxRates.find((r) => r.taxType === taxType)?.percent ?? 0;
}

/**
 * The mapped percent closest to an effective rate derived from amounts (tax / net × 100), for documents that do
 * not carry their rate (shipping, credit memo lines). Rounded store amounts make the derived rate inexact.
 */
export function nearestMappedPercent(mapping: XeroMappingSettings, tax: number, net: number, what: string): number {
  if (!tax || !net) return 0;
  const effective = (tax / net) * 100;
  let best: number | undefined;
  for (const r of mapping.taxRates) {
    if (best === undefined || Math.abs(r.percent - effective) < Math.abs(best - effective)) best = r.percent;
  }
  // Tolerance: a cent of rounding on a small net moves the derived rate; beyond 1.5 points it is a different rate.
  const tolerance = Math.max(1.5, (0.011 / Math.abs(net)) * 100);
  if (best === undefined || Math.abs(best - effective) > tolerance) {
    throw new XeroError(
      'VALIDATION',
      `no Xero tax type mapped for about ${effective.toFixed(2)}% (${what}); add it to the store's tax rate mapping`,
    );
  }
  return best;
}

/** Where a line's Xero tax type came from: the rates the store says it applied, its stated percent, or amounts. */
export type TaxSource = 'applied' | 'declared' | 'inferred';

export interface TaxChoice {
  taxType: string;
  percent: number;
  source: TaxSource;
}

/** What a store document says about the tax on one of its lines. */
export interface LineTaxFacts {
  /** Codes of the Magento tax rates applied to the line (extension_attributes.item_applied_taxes). */
  appliedCodes?: string[];
  /** Their combined percent, as Magento applied them. */
  appliedPercent?: number;
  /** The line's own tax_percent. */
  percent?: number | null;
  tax: number;
  net: number;
}

/**
 * The Xero tax type for a store line. The store's applied rates decide: a mapping entry for their code (several
 * rates on one line: their codes joined with " + ", in the order applied) wins, and must carry the same percent;
 * else the applied or stated percent is looked up. Only a line that says nothing about its rate (older payloads:
 * shipping, credit memo lines) has its rate inferred from its amounts, and the choice says so.
 */
export function taxForLine(mapping: XeroMappingSettings, facts: LineTaxFacts, what: string): TaxChoice {
  const codes = facts.appliedCodes?.filter((c) => c) ?? [];
  // The line's own percent is Magento's combined rate; the applied rates' sum is that rate only while none compounds.
  const stated = facts.percent ?? (codes.length === 1 ? facts.appliedPercent : undefined);
  if (codes.length > 0) {
    const key = codes.join(' + ');
    const byCode = mapping.taxRates.find((r) => r.code === key);
    if (byCode) {
      if (stated !== undefined && stated !== null && Math.abs(byCode.percent - stated) >= 0.0001) {
        throw new XeroError(
          'VALIDATION',
          `tax rate ${key} is ${stated}% in the store but its Xero tax type ${byCode.taxType} is mapped at ${byCode.percent}% (${what})`,
        );
      }
      return { taxType: byCode.taxType, percent: byCode.percent, source: 'applied' };
    }
    const percent = stated ?? facts.appliedPercent;
    if (percent !== undefined && percent !== null) {
      return { taxType: taxTypeForPercent(mapping, percent, `${what}, rate ${key}`), percent, source: 'applied' };
    }
  }
  if (facts.percent !== null && facts.percent !== undefined && (facts.percent !== 0 || facts.tax === 0)) {
    return { taxType: taxTypeForPercent(mapping, facts.percent, what), percent: facts.percent, source: 'declared' };
  }
  if (!facts.tax) {
    return { taxType: taxTypeForPercent(mapping, 0, what), percent: 0, source: 'declared' };
  }
  const percent = nearestMappedPercent(mapping, facts.tax, facts.net, what);
  return { taxType: taxTypeForPercent(mapping, percent, what), percent, source: 'inferred' };
}
