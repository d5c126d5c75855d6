import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { RecordsController } from '../records/records.controller';
import { SyncRecordNowUseCase } from '../records/sync-record-now.usecase';
import { XeroLinkQueries } from '../records/xero-link.queries';
import { QueueController } from './queue.controller';

/** Queue view, queue and per-record Sync Now. */
@Module({
  imports: [CommandsModule],
  controllers: [QueueController, RecordsController],
  providers: [SyncRecordNowUseCase, XeroLinkQueries],
})
export class QueueModule {}
