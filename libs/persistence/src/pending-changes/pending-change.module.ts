import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { InjectModel, MongooseModule } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { dropRetiredIndexes } from '../retired-indexes';
import { PendingChangeRepository } from './pending-change.repository';
import {
  DependencyWait,
  DependencyWaitSchema,
  PendingChange,
  PendingChangeSchema,
  RETIRED_PENDING_CHANGE_INDEXES,
} from './pending-change.schema';
import { RecordCopy, RecordCopySchema } from './record-copy.schema';

/**
 * The `pending_changes` collection (open items), `record_copies` (synced records' latest content) and
 * `dependency_waits` (who waits for which record): registers their schemas
 * and provides PendingChangeRepository. Needs PersistenceModule.forRoot in the app. At start it drops the queue's
 * retired indexes where they still exist (in the background: a database still away is not a reason not to start).
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
export class PendingChangeModule implements OnModuleInit {
  private readonly logger = new Logger(PendingChangeModule.name);

  constructor(@InjectModel(PendingChange.name) private readonly model: Model<PendingChange>) {}

  onModuleInit(): void {
    dropRetiredIndexes(this.model, RETIRED_PENDING_CHANGE_INDEXES).then(
      (dropped) => {
        if (dropped.length > 0) this.logger.log(`pending_changes: dropped retired indexes ${dropped.join(', ')}`);
      },
      (err: unknown) => this.logger.warn(`pending_changes: retired indexes not dropped: ${String(err)}`),
    );
  }
}
