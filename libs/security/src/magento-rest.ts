import { outboundGet, OutboundPolicy, OutboundRefusedError, OutboundResponse } from './outbound-http.client';

/** Magento 2 REST search endpoints by entity (each answers `{items, search_criteria, total_count}`). */
export const MAGENTO_SEARCH_PATHS = {
  customer: '/rest/V1/customers/search',
  product: '/rest/V1/products',
  order: '/rest/V1/orders',
  invoice: '/rest/V1/invoices',
  creditmemo: '/rest/V1/creditmemos',
} as const;

/** A Magento call that waits longer than this for its answer is given up (and counts as unanswered). */
const MAGENTO_TIMEOUT_MS = 30_000;

/**
 * A GET of a store's Magento that got no HTTP answer: refused by the outbound policy (`refused`, final, with the
 * policy's `status`) or failed on the way (network, time-out: `status` 0, worth retrying).
 */
export class MagentoUnansweredError extends Error {
  constructor(
    readonly refused: boolean,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'MagentoUnansweredError';
  }
}

/** The URL of a Magento REST path under the store's base URL (trailing slashes of the base ignored). */
export function magentoUrl(baseUrl: string, path: string): URL {
  return new URL(baseUrl.replace(/\/+$/, '') + path);
}

/**
 * One GET of a store's Magento 2 REST API with its integration token (Bearer), for JSON, with a 30-s time-out,
 * under the outbound policy: https to public addresses only (checked at connect time) and no redirects, which would
 * carry the token to another host. Whatever HTTP answer comes is returned, for the caller to judge; no answer
 * throws MagentoUnansweredError. Shared by ingest's pull connector and admin-api's reconciliation and Sync Now.
 */
export async function magentoGet(token: string, url: URL, policy: OutboundPolicy): Promise<OutboundResponse> {
  try {
    return await outboundGet(url, policy, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      timeoutMs: MAGENTO_TIMEOUT_MS,
    });
  } catch (err) {
    if (err instanceof OutboundRefusedError) throw new MagentoUnansweredError(true, err.status, err.message);
    throw new MagentoUnansweredError(false, 0, err instanceof Error ? err.message : String(err));
  }
}
