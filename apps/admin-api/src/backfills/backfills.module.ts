import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { BackfillJobStores } from './backfill-job-stores.queries';
import { BackfillsController } from './backfills.controller';

@Module({ imports: [CommandsModule], controllers: [BackfillsController], providers: [BackfillJobStores] })
export class BackfillsModule {}
