import { ModelDefinition } from '@nestjs/mongoose';
import { StoreSetting, StoreSettingSchema } from './store-setting.schema';

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
export const storeSettingModel: ModelDefinition = { name: StoreSetting.name, schema: StoreSettingSchema };
