import { Injectable } from '@nestjs/common';
import { CallOutcome, XeroAccountingClient } from '../client/xero-accounting.client';
import { XeroConnectionService } from '../tokens/xero-connection.service';
import { XeroError } from '../xero.errors';

type Json = Record<string, unknown>;

/** How long a cached chart (accounts, tax rates, currencies) is used at most without a refresh or a 4xx. */
const CHART_TTL_MS = 3_600_000;

/**
 * Reads from Xero for admin-api (settings pickers, reconciliation), inside the same per-org fleet budget as the
 * syncer's writes (read lane: below Sync Now and Immediately writes; counted as `read` in the daily report). The
 * org's accounts, tax rates and currencies are cached per process, so opening the settings page costs no calls; the cache
 * is dropped by `refreshChart` (the settings page's refresh button) and whenever a read of the org answers 4xx.
 */
@Injectable()
export class XeroReadService {
  private readonly charts = new Map<string, { at: number; reads: Map<string, Promise<Json[]>> }>();

  constructor(
    private readonly client: XeroAccountingClient,
    private readonly connections: XeroConnectionService,
  ) {}

  async accounts(tenantId: string): Promise<Json[]> {
    return this.cached(tenantId, 'accounts', () =>
      this.client.getAccounts(tenantId, { priority: 'interactive', lane: 'read' }),
    );
  }

  async taxRates(tenantId: string): Promise<Json[]> {
    return this.cached(tenantId, 'taxRates', () =>
      this.client.getTaxRates(tenantId, { priority: 'interactive', lane: 'read' }),
    );
  }

  /** The org's currencies: its base currency and those enabled for invoicing in other currencies. */
  async currencies(tenantId: string): Promise<Json[]> {
    return this.cached(tenantId, 'currencies', () =>
      this.client.getCurrencies(tenantId, { priority: 'interactive', lane: 'read' }),
    );
  }

  /** Drops the org's cached accounts, tax rates and currencies; the next read asks Xero. */
  refreshChart(tenantId: string): void {
    this.charts.delete(tenantId);
  }

  async invoicesByNumbers(tenantId: string, numbers: string[]): Promise<Json[]> {
    if (numbers.length === 0) return [];
    return (await this.client.getInvoicesByNumbers(tenantId, numbers, { priority: 'interactive', lane: 'read' })).body;
  }

  async creditNotesByNumbers(tenantId: string, numbers: string[]): Promise<Json[]> {
    if (numbers.length === 0) return [];
    return (await this.client.getCreditNotesByNumbers(tenantId, numbers, { priority: 'interactive', lane: 'read' }))
      .body;
  }

  /** The organisation; records its short code (used by "View On Xero" links). */
  async organisation(tenantId: string): Promise<Json | undefined> {
    const org = (await this.client.getOrganisation(tenantId, { priority: 'interactive', lane: 'read' })).body;
    const shortCode = typeof org?.ShortCode === 'string' ? org.ShortCode : undefined;
    if (shortCode) await this.connections.recordShortCode(tenantId, shortCode);
    return org;
  }

  private async cached(tenantId: string, what: string, read: () => Promise<CallOutcome<Json[]>>): Promise<Json[]> {
    // A cached chart is served only while the org is connected (one database read, no Xero call): after a
    // disconnect, from this process or another, the read goes to the client and answers as any call would.
    if (this.charts.has(tenantId) && (await this.connections.tenantStatus(tenantId)) !== 'connected')
      this.refreshChart(tenantId);
    let chart = this.charts.get(tenantId);
    if (!chart || Date.now() - chart.at > CHART_TTL_MS) {
      chart = { at: Date.now(), reads: new Map() };
      this.charts.set(tenantId, chart);
    }
    let body = chart.reads.get(what);
    if (!body) {
      body = read().then(
        (out) => out.body,
        (err: unknown) => {
          // A failed read is not cached; a 4xx (the org's chart or our access changed) drops the whole chart.
          if (err instanceof XeroError && err.status !== undefined && err.status >= 400 && err.status < 500) {
            this.refreshChart(tenantId);
          } else chart.reads.delete(what);
          throw err;
        },
      );
      chart.reads.set(what, body);
    }
    return await body;
  }
}
