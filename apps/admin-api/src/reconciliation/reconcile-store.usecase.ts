import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@xero-sync/config';
import type { MagentoCreditMemo, MagentoInvoice, MagentoOrder } from '@xero-sync/contracts';
import {
  PendingChangeRepository,
  StoreRepository,
  StoreSettingsRepository,
  XeroMappingSettings,
} from '@xero-sync/persistence';
import { storeDay, XeroReadService } from '@xero-sync/xero';
import { AdminError } from '../http/admin.errors';
import { fetchMagentoPeriod, MagentoStoreError } from './magento-store.client';
import {
  reconcile,
  ReconciliationDifference,
  ReconciliationResult,
  StoreDocument,
  XeroDocument,
} from './reconciliation';
import { creditMemoDocument, orderDocument, xeroDocument } from './store-documents';

/** Numbers per Xero read (`InvoiceNumbers=` / `where` filters stay well under URL limits). */
const NUMBERS_PER_CALL = 40;
const DAY_MS = 86_400_000;

/**
 * Where the store's side came from: `store` is the store's own Magento REST API (pull-connected stores),
 * `pipeline` the copy of the store's documents this system received (webhooks, backfills).
 */
export type ReconciliationSource = 'store' | 'pipeline';

/** A difference with the store it belongs to, for Sync Now (`POST /stores/:storeId/records/:entity/:entityId/sync-now`). */
export interface StoreDifference extends ReconciliationDifference {
  storeId: string;
}

/** The store's documents of a period as reconciliation reads them. */
interface StoreSide {
  orders: MagentoOrder[];
  invoices: MagentoInvoice[];
  memos: MagentoCreditMemo[];
}

export interface ReconciliationReport extends Omit<ReconciliationResult, 'differences'> {
  storeId: string;
  source: ReconciliationSource;
  /** What `source` means, for people. */
  sourceLabel: string;
  differences: StoreDifference[];
  tenantId: string;
  from: string;
  to: string;
  storeDocuments: number;
  xeroDocuments: number;
  /** Xero calls this report cost (counted in the org's daily budget). */
  xeroCalls: number;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** "YYYY-MM-DD HH:MM:SS" (UTC) for Magento's created_at filters. */
const magentoUtc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * Reconciliation of a store with its Xero org for a period (by the store's local day of each document). The
 * store side is what the store itself says (its Magento REST API) for pull-connected stores, else the pipeline's
 * received copy (kept by the syncer in pending_changes), labelled as such; the Xero side is read by document
 * number through libs/xero within the org's budget. Proves nothing was lost, posted twice or posted differently.
 */
@Injectable()
export class ReconcileStoreUseCase {
  constructor(
    private readonly records: PendingChangeRepository,
    private readonly settings: StoreSettingsRepository,
    private readonly stores: StoreRepository,
    private readonly xero: XeroReadService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(storeId: string, from: string, to: string): Promise<ReconciliationReport> {
    const { xeroTenantId: tenantId, mapping } = await this.settings.get(storeId);
    if (!tenantId) throw new AdminError('XERO_NOT_CONNECTED', `store ${storeId} is not bound to a Xero org`);
    const inPeriod = (created: string) => {
      const day = storeDay(created, mapping.timeZone);
      return day >= from && day <= to;
    };
    const credentials = await this.stores.magentoCredentialsOf(storeId);
    const pipeline = await this.pipelineSide(storeId);
    let side = pipeline;
    if (credentials) {
      // Local days span UTC offsets of up to ±14 h: a day either side, then the store's local day decides.
      const fromUtc = magentoUtc(Date.parse(`${from}T00:00:00Z`) - DAY_MS);
      const toUtc = magentoUtc(Date.parse(`${to}T00:00:00Z`) + 2 * DAY_MS);
      const policy = { allowHttp: this.config.OUTBOUND_ALLOW_HTTP, allowPrivate: this.config.OUTBOUND_ALLOW_PRIVATE };
      try {
        const [orders, memos, invoices] = await Promise.all([
          fetchMagentoPeriod(credentials, 'order', fromUtc, toUtc, policy),
          fetchMagentoPeriod(credentials, 'creditmemo', fromUtc, toUtc, policy),
          // An order's store invoices may come later than the period; all since its start.
          fetchMagentoPeriod(credentials, 'invoice', fromUtc, undefined, policy),
        ]);
        side = {
          orders: orders as unknown as MagentoOrder[],
          memos: memos as unknown as MagentoCreditMemo[],
          invoices: invoices as unknown as MagentoInvoice[],
        };
      } catch (err) {
        if (!(err instanceof MagentoStoreError)) throw err;
        throw new AdminError(
          'STORE_UNAVAILABLE',
          `${err.message}; reconciliation against the store needs its own documents`,
          [{ field: 'magento', reason: `${err.status ? `HTTP ${err.status}: ` : ''}${err.reason}` }],
        );
      }
    }
    const storeDocs = this.documents(side, mapping, inPeriod);
    // Documents the pipeline received but the store no longer has are looked up in Xero too: found there, they
    // are missing in the store.
    const elsewhere = credentials ? this.documents(pipeline, mapping, inPeriod) : [];
    const entityOf = new Map(elsewhere.map((d) => [`${d.type}:${d.number}`, d.entityId]));
    const numbers = (type: 'invoice' | 'creditnote') => [
      ...new Set([...storeDocs, ...elsewhere].filter((d) => d.type === type).map((d) => d.number)),
    ];

    let calls = 0;
    const xeroDocs: XeroDocument[] = [];
    for (const batch of chunks(numbers('invoice'), NUMBERS_PER_CALL)) {
      calls++;
      xeroDocs.push(...(await this.xero.invoicesByNumbers(tenantId, batch)).map((d) => xeroDocument('invoice', d)));
    }
    for (const batch of chunks(numbers('creditnote'), NUMBERS_PER_CALL)) {
      calls++;
      xeroDocs.push(
        ...(await this.xero.creditNotesByNumbers(tenantId, batch)).map((d) => xeroDocument('creditnote', d)),
      );
    }
    const taxRates = storeDocs.length > 0 ? await this.xero.taxRates(tenantId) : [];
    if (storeDocs.length > 0) calls++;
    const rateOf = new Map(
      taxRates.map((t) => [String(t.TaxType), Number(t.EffectiveRate ?? t.DisplayTaxRate ?? 0) || 0]),
    );
    const result = reconcile(storeDocs, xeroDocs, (taxType) => rateOf.get(taxType), {
      entityOf: (type, number) => entityOf.get(`${type}:${number}`),
    });
    return {
      storeId,
      tenantId,
      source: credentials ? 'store' : 'pipeline',
      sourceLabel: credentials
        ? "the store's Magento REST API"
        : "the pipeline's received copy of the store's documents (the store is not pull-connected)",
      from,
      to,
      storeDocuments: storeDocs.length,
      xeroDocuments: xeroDocs.length,
      xeroCalls: calls,
      ...result,
      differences: result.differences.map((d) => ({ storeId, ...d })),
    };
  }

  private documents(side: StoreSide, mapping: XeroMappingSettings, inPeriod: (created: string) => boolean) {
    const invoicesOf = new Map<number, MagentoInvoice[]>();
    for (const i of side.invoices) invoicesOf.set(i.order_id, [...(invoicesOf.get(i.order_id) ?? []), i]);
    const orderOf = new Map(side.orders.map((o) => [o.entity_id, o]));
    const docs: StoreDocument[] = [
      ...side.orders
        .filter((o) => inPeriod(o.created_at))
        .map((o) => orderDocument(o, mapping, invoicesOf.get(o.entity_id) ?? [])),
      ...side.memos
        .filter((m) => inPeriod(m.created_at))
        .map((m) => creditMemoDocument(m, orderOf.get(m.order_id), mapping)),
    ];
    return docs;
  }

  private async pipelineSide(storeId: string): Promise<StoreSide> {
    const [orders, invoices, memos] = await Promise.all([
      this.all(storeId, 'order'),
      this.all(storeId, 'invoice'),
      this.all(storeId, 'creditmemo'),
    ]);
    return {
      orders: orders as unknown as MagentoOrder[],
      invoices: invoices as unknown as MagentoInvoice[],
      memos: memos as unknown as MagentoCreditMemo[],
    };
  }

  private async all(storeId: string, entity: string): Promise<Record<string, unknown>[]> {
    // Open items come before the synced copies: a record listed in both is taken at its latest content.
    const latest = new Map<string, Record<string, unknown>>();
    let listed = 0;
    for (let page = 1; ; page++) {
      const { items, total } = await this.records.listByStore(storeId, { entity }, { page, pageSize: 500 });
      for (const i of items) if (!latest.has(i.id)) latest.set(i.id, i.payload);
      listed += items.length;
      if (items.length < 500 || listed >= total) return [...latest.values()];
    }
  }
}
