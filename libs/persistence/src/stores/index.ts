import { ModelDefinition } from '@nestjs/mongoose';
import { Store, StoreSchema } from './store.schema';

export { Store, StoreSchema } from './store.schema';
export { StoreRecord, NewStore, MagentoCredentials, StoreRepository } from './store.repository';
export const storeModel: ModelDefinition = { name: Store.name, schema: StoreSchema };
