import type { EntityName } from '@xero-sync/contracts';
import type { MagentoCredentials } from '@xero-sync/persistence';
import {
  MAGENTO_SEARCH_PATHS,
  magentoGet,
  MagentoUnansweredError,
  magentoUrl,
  OutboundPolicy,
  OutboundResponse,
} from '@xero-sync/security';

/** The sales documents reconciliation reads from a store's own Magento 2 REST API. */
export type MagentoSalesEntity = 'order' | 'invoice' | 'creditmemo';

const PAGE_SIZE = 200;
/** A period of a year holds far fewer pages than this; more means the store ignores paging. */
const MAX_PAGES = 500;

/** The store's Magento could not be read: its HTTP status (0 when it never answered) and why. */
export class MagentoStoreError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`the store's Magento REST API failed: ${status ? `HTTP ${status} ` : ''}${reason}`);
    this.name = 'MagentoStoreError';
  }
}

/**
 * Every document of one entity created within [fromUtc, toUtc) (or since fromUtc) (Magento date-times, UTC), all pages, with the
 * store's integration token. Like ingest's pull connector: sorted by entity id, 1-based pages, a time-out per
 * call, under the outbound policy (https to public addresses only, checked at connect time); redirects are refused
 * (a redirect would carry the bearer token to another host). Errors name the status and what was expected, never
 * what the store answered: they are shown to the dashboard's viewers.
 */
export async function fetchMagentoPeriod(
  credentials: MagentoCredentials,
  entity: MagentoSalesEntity,
  fromUtc: string,
  toUtc: string | undefined,
  policy: OutboundPolicy,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const url = magentoUrl(credentials.baseUrl, MAGENTO_SEARCH_PATHS[entity]);
    const q = url.searchParams;
    q.set('searchCriteria[filter_groups][0][filters][0][field]', 'created_at');
    q.set('searchCriteria[filter_groups][0][filters][0][value]', fromUtc);
    q.set('searchCriteria[filter_groups][0][filters][0][condition_type]', 'gteq');
    if (toUtc) {
      q.set('searchCriteria[filter_groups][1][filters][0][field]', 'created_at');
      q.set('searchCriteria[filter_groups][1][filters][0][value]', toUtc);
      q.set('searchCriteria[filter_groups][1][filters][0][condition_type]', 'lt');
    }
    q.set('searchCriteria[sortOrders][0][field]', 'entity_id');
    q.set('searchCriteria[sortOrders][0][direction]', 'ASC');
    q.set('searchCriteria[pageSize]', String(PAGE_SIZE));
    q.set('searchCriteria[currentPage]', String(page));
    const what = `${entity} page ${page}`;
    const res = await answerOf(credentials, url, policy, what);
    if (res.status < 200 || res.status >= 300)
      throw new MagentoStoreError(res.status, `${what}: expected 200 with a search result`);
    const body = parseJson(res.body) as { items?: unknown; total_count?: unknown } | null;
    if (!body || !Array.isArray(body.items) || typeof body.total_count !== 'number')
      throw new MagentoStoreError(res.status, `${what}: not a search result (items, total_count)`);
    out.push(...(body.items as Record<string, unknown>[]));
    if (body.items.length < PAGE_SIZE || page * PAGE_SIZE >= body.total_count) return out;
  }
  throw new MagentoStoreError(200, `${entity}: more than ${MAX_PAGES} pages; the store does not page its answer`);
}

/** The store's answer to one GET (magentoGet); no answer (a refusal, a network error) named as a MagentoStoreError. */
async function answerOf(
  credentials: MagentoCredentials,
  url: URL,
  policy: OutboundPolicy,
  what: string,
): Promise<OutboundResponse> {
  try {
    return await magentoGet(credentials.token, url, policy);
  } catch (err) {
    if (err instanceof MagentoUnansweredError) throw new MagentoStoreError(err.status, `${what}: ${err.message}`);
    throw err;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Magento 2 REST paths of one record by its store id (products by SKU); note Magento's singular `creditmemo`. */
const RECORD_PATHS: Record<EntityName, string> = {
  customer: '/rest/V1/customers/',
  product: '/rest/V1/products/',
  order: '/rest/V1/orders/',
  invoice: '/rest/V1/invoices/',
  creditmemo: '/rest/V1/creditmemo/',
};

/**
 * One record as the store's Magento REST API returns it (the same shape its search endpoints list, which is what
 * webhooks and backfills carry), or undefined when Magento answers 404. Same rules as the period read: the
 * store's integration token, a time-out, the outbound policy, no redirects.
 */
export async function fetchMagentoRecord(
  credentials: MagentoCredentials,
  entity: EntityName,
  entityId: string,
  policy: OutboundPolicy,
): Promise<Record<string, unknown> | undefined> {
  const url = magentoUrl(credentials.baseUrl, RECORD_PATHS[entity] + encodeURIComponent(entityId));
  const what = `${entity} ${entityId}`;
  const res = await answerOf(credentials, url, policy, what);
  if (res.status === 404) return undefined;
  if (res.status < 200 || res.status >= 300)
    throw new MagentoStoreError(res.status, `${what}: expected 200 with the record`);
  const body = parseJson(res.body);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new MagentoStoreError(res.status, `${what}: not a record`);
  return body as Record<string, unknown>;
}
