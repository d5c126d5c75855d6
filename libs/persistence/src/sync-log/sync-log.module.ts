import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { SyncLogRepository } from './sync-log.repository';
import { SyncLog, SyncLogSchema } from './sync-log.schema';

/** The `sync_log` collection: registers its schema and provides SyncLogRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: SyncLog.name, schema: SyncLogSchema }])],
  providers: [SyncLogRepository],
  exports: [SyncLogRepository],
})
export class SyncLogModule {}
