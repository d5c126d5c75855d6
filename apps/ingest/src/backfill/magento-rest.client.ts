import { EntityName } from '@xero-sync/contracts';
import { MagentoCredentials } from '@xero-sync/persistence';
import {
  MAGENTO_SEARCH_PATHS,
  magentoGet,
  MagentoUnansweredError,
  magentoUrl,
  OutboundPolicy,
  OutboundResponse,
} from '@xero-sync/security';

export interface MagentoPage {
  items: unknown[];
  totalCount: number;
}

/** A Magento call that failed; `retryable` for network errors, 5xx and 429 (with the server's wait, if any). */
export class MagentoRequestError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MagentoRequestError';
  }
}

/**
 * A 2xx answer of a store's Magento (magentoGet: its integration token, the outbound policy, no redirects). A refusal
 * by the policy is final; network errors, 5xx, 408 and 429 are retryable. What the store answered is never put in an
 * error (it is shown to the job's viewers): status and expectation only.
 */
async function magentoOk(
  credentials: MagentoCredentials,
  url: URL,
  policy: OutboundPolicy,
  what: string,
): Promise<OutboundResponse> {
  let res: OutboundResponse;
  try {
    res = await magentoGet(credentials.token, url, policy);
  } catch (err) {
    if (err instanceof MagentoUnansweredError)
      throw new MagentoRequestError(`Magento ${what}: ${err.message}`, !err.refused);
    throw err;
  }
  if (res.status < 200 || res.status >= 300) {
    const retryAfter = Number(res.headers['retry-after']);
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new MagentoRequestError(
      `Magento ${what}: HTTP ${res.status}, expected 200`,
      retryable,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
  return res;
}

/**
 * Reads one page of a Magento 2 REST search with the store's integration token (Bearer), sorted by entity id
 * ascending so pages stay stable while new records are appended. Pages are 1-based like Magento's.
 */
export async function fetchMagentoPage(
  credentials: MagentoCredentials,
  entity: EntityName,
  page: number,
  pageSize: number,
  policy: OutboundPolicy,
): Promise<MagentoPage> {
  const url = magentoUrl(credentials.baseUrl, MAGENTO_SEARCH_PATHS[entity]);
  url.searchParams.set('searchCriteria[pageSize]', String(pageSize));
  url.searchParams.set('searchCriteria[currentPage]', String(page));
  url.searchParams.set('searchCriteria[sortOrders][0][field]', 'entity_id');
  url.searchParams.set('searchCriteria[sortOrders][0][direction]', 'ASC');
  const res = await magentoOk(credentials, url, policy, `${entity} page ${page}`);
  const body = parseJson(res.body) as { items?: unknown; total_count?: unknown } | null;
  if (!body || !Array.isArray(body.items) || typeof body.total_count !== 'number') {
    throw new MagentoRequestError(`Magento ${entity} page ${page}: not a search result (items, total_count)`, false);
  }
  return { items: body.items, totalCount: body.total_count };
}

/**
 * The store's time zone from Magento's store configuration (`GET /V1/store/storeConfigs`, one entry per store
 * view): the `default` view's, else the first storefront view's (id ≠ 0, the admin view). Undefined when Magento
 * names none. Under the same outbound policy as the pages.
 */
export async function fetchMagentoTimeZone(
  credentials: MagentoCredentials,
  policy: OutboundPolicy,
): Promise<string | undefined> {
  const url = magentoUrl(credentials.baseUrl, '/rest/V1/store/storeConfigs');
  const res = await magentoOk(credentials, url, policy, 'store configs');
  const body = parseJson(res.body);
  const views = (Array.isArray(body) ? body : []) as { id?: unknown; code?: unknown; timezone?: unknown }[];
  const zoned = views.filter((v) => v && typeof v.timezone === 'string' && v.timezone !== '');
  const view = zoned.find((v) => v.code === 'default') ?? zoned.find((v) => Number(v.id) !== 0) ?? zoned[0];
  return view?.timezone as string | undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
