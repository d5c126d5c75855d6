export { Store, StoreSchema } from './store.schema';
export {
  StoreRecord,
  NewStore,
  MagentoCredentials,
  RotatedSecret,
  StoreRepository,
  StoreWebhookSecrets,
} from './store.repository';
export { StoreModule } from './store.module';
