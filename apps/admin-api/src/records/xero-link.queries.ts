import { Injectable } from '@nestjs/common';
import { EntityName } from '@xero-sync/contracts';
import { StoreSettingsRepository } from '@xero-sync/persistence';
import { XeroConnectionService, xeroDeepLinkOf } from '@xero-sync/xero';

/** A store's "View On Xero" link for a record's Xero id (undefined without one). */
export type XeroLinker = (entity: EntityName, xeroId: string | undefined) => string | undefined;

/**
 * "View On Xero" for queue rows and record pages, which keep the Xero id but not the link: the store's org short
 * code is read once per request (two reads by key), and each link is built from the record's entity type.
 */
@Injectable()
export class XeroLinkQueries {
  constructor(
    private readonly settings: StoreSettingsRepository,
    private readonly connections: XeroConnectionService,
  ) {}

  async linkerFor(storeId: string): Promise<XeroLinker> {
    const { xeroTenantId } = await this.settings.get(storeId);
    const shortCode = xeroTenantId ? await this.connections.shortCode(xeroTenantId) : undefined;
    return (entity, xeroId) => (xeroId ? xeroDeepLinkOf(entity, shortCode, xeroId) : undefined);
  }
}
