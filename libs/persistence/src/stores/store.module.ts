import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { StoreRepository } from './store.repository';
import { Store, StoreSchema } from './store.schema';

/** The `stores` collection: registers its schema and provides StoreRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: Store.name, schema: StoreSchema }])],
  providers: [StoreRepository],
  exports: [StoreRepository],
})
export class StoreModule {}
