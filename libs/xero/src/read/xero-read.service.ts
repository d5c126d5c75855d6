import { Injectable } from '@nestjs/common';
import { XeroAccountingClient } from '../client/xero-accounting.client';
import { XeroConnectionService } from '../tokens/xero-connection.service';

type Json = Record<string, unknown>;

/**
 * Reads from Xero for admin-api (settings pickers, reconciliation), inside the same per-org budget as the
 * syncer's writes (interactive priority, daily counters shared in MongoDB).
 */
@Injectable()
export class XeroReadService {
  constructor(
    private readonly client: XeroAccountingClient,
    private readonly connections: XeroConnectionService,
  ) {}

  async accounts(tenantId: string): Promise<Json[]> {
    return (await this.client.getAccounts(tenantId, { priority: 'interactive', lane: 'read' })).body;
  }

  async taxRates(tenantId: string): Promise<Json[]> {
    return (await this.client.getTaxRates(tenantId, { priority: 'interactive', lane: 'read' })).body;
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
}
