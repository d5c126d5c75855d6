import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { StoreSettingsRepository } from './store-settings.repository';
import { StoreSetting, StoreSettingSchema } from './store-setting.schema';

/** The `store_settings` collection: registers its schema and provides StoreSettingsRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: StoreSetting.name, schema: StoreSettingSchema }])],
  providers: [StoreSettingsRepository],
  exports: [StoreSettingsRepository],
})
export class StoreSettingsModule {}
