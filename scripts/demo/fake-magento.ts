import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EntityName } from '@xero-sync/contracts';

/** What the fake store answers for each entity: the records as Magento 2's REST API returns them. */
export type MagentoRecords = Record<EntityName, Record<string, unknown>[]>;

const PATHS: Record<string, EntityName> = {
  '/rest/V1/customers/search': 'customer',
  '/rest/V1/products': 'product',
  '/rest/V1/orders': 'order',
  '/rest/V1/invoices': 'invoice',
  '/rest/V1/creditmemos': 'creditmemo',
};

/** One record by its store id (products by SKU), as Magento 2 routes them (note the singular `creditmemo`). */
const RECORD_PATHS: [string, EntityName][] = [
  ['/rest/V1/customers/', 'customer'],
  ['/rest/V1/products/', 'product'],
  ['/rest/V1/orders/', 'order'],
  ['/rest/V1/invoices/', 'invoice'],
  ['/rest/V1/creditmemo/', 'creditmemo'],
];

function keyOf(entity: EntityName, record: Record<string, unknown>): string {
  return String(entity === 'product' ? record.sku : idOf(entity, record));
}

function idOf(entity: EntityName, record: Record<string, unknown>): number {
  return Number(entity === 'customer' || entity === 'product' ? record.id : record.entity_id);
}

export interface FakeMagento {
  url: string;
  /** Replaces what the store holds (e.g. after live orders arrived). */
  setRecords(records: MagentoRecords): void;
  close(): Promise<void>;
}

/**
 * A stand-in for a Magento 2 store's REST search endpoints (`/rest/V1/orders?searchCriteria[...]` …), enough
 * for ingest's pull connector: bearer token check, paging by `searchCriteria[currentPage]`/`[pageSize]`, sorted
 * by entity id, answering `{items, search_criteria, total_count}`; one record by id (`/rest/V1/orders/{id}`,
 * products by SKU), 404 when the store has none, for per-record Sync Now; and the store configuration
 * (`/rest/V1/store/storeConfigs`, with `config.timezone`, default UTC). Used by the demo and the browser tests to
 * give backfill a store history to pull.
 */
export async function startFakeMagento(
  token: string,
  records: MagentoRecords,
  port = 0,
  config: { timezone?: string } = {},
): Promise<FakeMagento> {
  let current = records;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const entity = PATHS[url.pathname];
    const byId = entity ? undefined : RECORD_PATHS.find(([path]) => url.pathname.startsWith(path));
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const storeConfigs = url.pathname === '/rest/V1/store/storeConfigs';
    if (req.method !== 'GET' || !(entity || byId || storeConfigs))
      return send(404, { message: 'Request does not match any route.' });
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(401, { message: "The consumer isn't authorized to access %resources." });
    }
    // Magento lists the admin view (id 0) and each storefront view with its locale settings.
    if (storeConfigs)
      return send(
        200,
        [0, 1].map((id) => ({
          id,
          code: id === 0 ? 'admin' : 'default',
          website_id: id,
          locale: 'en_US',
          timezone: config.timezone ?? 'UTC',
          weight_unit: 'kgs',
        })),
      );
    if (byId) {
      const [path, kind] = byId;
      const id = decodeURIComponent(url.pathname.slice(path.length));
      const record = current[kind].find((r) => keyOf(kind, r) === id);
      return record
        ? send(200, record)
        : send(404, { message: "The entity that was requested doesn't exist. Verify the entity and try again." });
    }
    if (!entity) return send(404, { message: 'Request does not match any route.' });
    const pageSize = Math.max(1, Number(url.searchParams.get('searchCriteria[pageSize]') ?? 20));
    const page = Math.max(1, Number(url.searchParams.get('searchCriteria[currentPage]') ?? 1));
    const all = [...current[entity]].sort((a, b) => idOf(entity, a) - idOf(entity, b));
    send(200, {
      items: all.slice((page - 1) * pageSize, page * pageSize),
      search_criteria: { current_page: page, page_size: pageSize },
      total_count: all.length,
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setRecords: (next) => {
      current = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
