import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PendingChangeRepository } from './pending-change.repository';
import { DependencyWait, DependencyWaitSchema, PendingChange, PendingChangeSchema } from './pending-change.schema';
import { RecordCopy, RecordCopySchema } from './record-copy.schema';

/**
 * The `pending_changes` collection (open items), `record_copies` (synced records' latest content) and
 * `dependency_waits` (who waits for which record): registers their schemas
 * and provides PendingChangeRepository. Needs PersistenceModule.forRoot in the app.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: PendingChange.name, schema: PendingChangeSchema },
      { name: DependencyWait.name, schema: DependencyWaitSchema },
      { name: RecordCopy.name, schema: RecordCopySchema },
    ]),
  ],
  providers: [PendingChangeRepository],
  exports: [PendingChangeRepository],
})
export class PendingChangeModule {}
