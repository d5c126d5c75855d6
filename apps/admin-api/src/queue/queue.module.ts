import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { RecordsController } from '../records/records.controller';
import { QueueController } from './queue.controller';

/** Queue view, queue and per-record Sync Now. */
@Module({ imports: [CommandsModule], controllers: [QueueController, RecordsController] })
export class QueueModule {}
