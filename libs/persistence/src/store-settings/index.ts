export { StoreSetting } from './store-setting.schema';
export {
  StoreSettings,
  SyncMode,
  XeroInvoiceStatusRule,
  XeroMappingSettings,
  defaultMappingSettings,
  defaultStoreSettings,
} from './store-settings.defaults';
export { StoreSettingsRepository } from './store-settings.repository';
export { StoreSettingsModule } from './store-settings.module';
