import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { XeroConnectionRepository } from './xero-connection.repository';
import { XeroConnection, XeroConnectionSchema } from './xero-connection.schema';

/** The `xero_connections` collection: registers its schema and provides XeroConnectionRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: XeroConnection.name, schema: XeroConnectionSchema }])],
  providers: [XeroConnectionRepository],
  exports: [XeroConnectionRepository],
})
export class XeroConnectionModule {}
