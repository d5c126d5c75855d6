import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PendingChangeRepository } from './pending-change.repository';
import { PendingChange, PendingChangeSchema } from './pending-change.schema';

/** The `pending_changes` collection: registers its schema and provides PendingChangeRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: PendingChange.name, schema: PendingChangeSchema }])],
  providers: [PendingChangeRepository],
  exports: [PendingChangeRepository],
})
export class PendingChangeModule {}
