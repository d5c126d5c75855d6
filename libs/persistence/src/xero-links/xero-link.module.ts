import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { XeroLinkRepository } from './xero-link.repository';
import { XeroLink, XeroLinkSchema } from './xero-link.schema';

/** The `xero_links` collection: registers its schema and provides XeroLinkRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: XeroLink.name, schema: XeroLinkSchema }])],
  providers: [XeroLinkRepository],
  exports: [XeroLinkRepository],
})
export class XeroLinkModule {}
