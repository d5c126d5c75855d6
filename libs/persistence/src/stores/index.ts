export { Store, StoreSchema } from './store.schema';
export { StoreRecord, NewStore, MagentoCredentials, StoreRepository } from './store.repository';
export { StoreModule } from './store.module';
