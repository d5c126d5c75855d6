import { createHash } from 'node:crypto';
import { MagentoOrderItem, MagentoProduct, productTaxClassId } from '@xero-sync/contracts';
import { XeroMappingSettings } from '@xero-sync/persistence';
import { roundTo } from './money';
import { XeroItemJson } from './xero-documents';

export const ITEM_CODE_MAX = 30;
const ITEM_NAME_MAX = 50;

/**
 * Item Code for a SKU: the SKU itself up to 30 chars; longer SKUs keep their first 21 chars and add "~" and 8 hex
 * chars of their SHA-256, so the code is stable, recognisable and (practically) unique. Kept in xero_links.
 */
export function itemCodeFor(sku: string): string {
  if ([...sku].length <= ITEM_CODE_MAX) return sku;
  const head = [...sku].slice(0, ITEM_CODE_MAX - 9).join('');
  return `${head}~${createHash('sha256').update(sku).digest('hex').slice(0, 8)}`;
}

function clip(s: string, max: number): string {
  const chars = [...s.trim()];
  return chars.length <= max ? chars.join('') : chars.slice(0, max).join('');
}

function salesTaxType(mapping: XeroMappingSettings, taxClassId: string | undefined): string {
  if (taxClassId && mapping.taxClasses[taxClassId]) return mapping.taxClasses[taxClassId];
  const taxed = mapping.taxRates.find((r) => r.percent > 0) ?? mapping.taxRates[0];
  return taxed?.taxType ?? mapping.noTaxType;
}

/** Product → Item (Code ≤ 30, Name ≤ 50, full name as the sales description). */
export function mapProductItem(product: MagentoProduct, mapping: XeroMappingSettings): XeroItemJson {
  return {
    Code: itemCodeFor(product.sku),
    Name: clip(product.name, ITEM_NAME_MAX),
    Description: clip(product.name, 4000),
    IsSold: true,
    IsPurchased: false,
    SalesDetails: {
      UnitPrice: roundTo(product.price, 4),
      AccountCode: mapping.accounts.sales,
      TaxType: salesTaxType(mapping, productTaxClassId(product)),
    },
  };
}

/** An Item derived from an order line, for a product the store never sent (deleted or not yet synced). */
export function mapOrderLineItem(line: MagentoOrderItem, mapping: XeroMappingSettings): XeroItemJson {
  return {
    Code: itemCodeFor(line.sku),
    Name: clip(line.name, ITEM_NAME_MAX),
    Description: clip(line.name, 4000),
    IsSold: true,
    IsPurchased: false,
    SalesDetails: {
      UnitPrice: roundTo(line.price, 4),
      AccountCode: mapping.accounts.sales,
      TaxType: salesTaxType(mapping, undefined),
    },
  };
}
