import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DlqMessageRepository } from './dlq-message.repository';
import { DlqMessage, DlqMessageSchema } from './dlq-message.schema';

/** The `dlq_messages` collection: registers its schema and provides DlqMessageRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: DlqMessage.name, schema: DlqMessageSchema }])],
  providers: [DlqMessageRepository],
  exports: [DlqMessageRepository],
})
export class DlqMessageModule {}
