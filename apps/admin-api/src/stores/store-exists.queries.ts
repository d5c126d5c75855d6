import { Injectable } from '@nestjs/common';
import { StoreRecord, StoreRepository } from '@xero-sync/persistence';
import { AdminError } from '../http/admin.errors';

/** Commands and settings for a store that does not exist are refused with 404 rather than published. */
@Injectable()
export class StoreExistsQueries {
  constructor(private readonly stores: StoreRepository) {}

  async require(storeId: string): Promise<StoreRecord> {
    const store = await this.stores.findById(storeId);
    if (!store) throw new AdminError('NOT_FOUND', `no store ${storeId}`);
    return store;
  }
}
