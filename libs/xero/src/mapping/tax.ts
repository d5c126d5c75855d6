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
